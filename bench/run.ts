// `npm run bench [-- --quick]`: one bounded run on loopback that measures the
// mock upstream directly, a null proxy, Switchyard in local mode and Portkey's
// gateway on the same workload, the Lambda bundle's size and start-up, and
// profiles Switchyard; then writes bench/results/<date>.json and BENCHMARKS.md.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FULL_PLAN, QUICK_PLAN } from './bench-plan.ts';
import { query, repositoryRoot, type StartedProcess } from './child-process.ts';
import { localModeNodeFlags, startNullProxy, startPortkey, startUpstream, startSwitchyard, type RunningTarget } from './gateways.ts';
import { orderLabel, runGrid, warmUp } from './grid.ts';
import { buildBundle, measureColdStart, startLambdaEnvironment } from './lambda-cold-start.ts';
import { measureBundleUnderLoad } from './lambda-server.ts';
import { describeMachine } from './machine.ts';
import { cpuMillis, machineJiffies, memory, millisPerJiffy } from './process-stats.ts';
import { heapAtConcurrency50 } from './heap-pass.ts';
import { compareUpstreamShapes } from './upstream-shape.ts';
import { profileSwitchyard } from './profile-pass.ts';
import { renderReport } from './report.ts';
import type { BenchResults, BundleInput } from './results.ts';
import { checkTargets } from './targets.ts';
import { SIMULATED_PROVIDER, type TargetName } from './workload.ts';

const benchDirectory = import.meta.dirname;
const plan = process.argv.includes('--quick') ? QUICK_PLAN : FULL_PLAN;
const startedAt = performance.now();
const date = new Date();
const log = (line: string): void => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);

// `--parquet`: only measure what Athena scans per million usage records
// (bench/parquet-scan.ts writes bench/results/parquet-scan.json; every report rendered after shows it).
if (process.argv.includes('--parquet')) {
  await import('./parquet-scan.ts');
  process.exit(0);
}

// `--report <results file>`: only render the report again (after editing the template or analysis.md).
const reportIndex = process.argv.indexOf('--report');
if (reportIndex >= 0) {
  const file = path.resolve(process.argv[reportIndex + 1] ?? '');
  const results: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof results !== 'object' || results === null || !('grid' in results) || !('date' in results)) throw new Error(`${file} is not a results file`);
  const target = path.join(repositoryRoot, 'BENCHMARKS.md');
  await writeFile(target, await renderReport(results as BenchResults, path.basename(file), benchDirectory));
  console.log(`wrote ${path.relative(repositoryRoot, target)} from ${path.relative(repositoryRoot, file)}`);
  process.exit(0);
}

// `--soak`: the long mixed-load run alone (bench/soak.ts), then BENCHMARKS.md again with its section.
if (process.argv.includes('--soak')) {
  const { runSoakCommand } = await import('./soak-command.ts');
  process.exit(await runSoakCommand(process.argv, benchDirectory, log));
}

const processes: StartedProcess[] = [];
const stopAll = async (): Promise<void> => {
  await Promise.allSettled(processes.map((started) => started.stop()));
};
process.on('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

try {
  const machine = describeMachine();
  log(`${plan.name} run on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}`);

  log('building the Lambda bundle');
  const bundle = await buildBundle();
  const upstream = await startUpstream();
  processes.push(upstream.process);
  log(`mock upstream on ${upstream.url}; measuring the bundle's start-up (${plan.coldStartRuns} runs)`);
  const lambdaEnvironment = await startLambdaEnvironment(upstream.url);
  const coldStart = await measureColdStart({ environment: lambdaEnvironment, runs: plan.coldStartRuns, bundle, warmRuns: plan.warmInvocations, upstream });

  log('starting the null proxy, Switchyard and Portkey');
  const nullProxy = await startNullProxy(upstream.url);
  // --expose-gc only lets the memory query collect first, so it reads the live heap.
  const switchyard = await startSwitchyard(upstream.url, { nodeFlags: ['--expose-gc'] });
  const portkey = await startPortkey(upstream.url);
  const targets: RunningTarget[] = [upstream.target, nullProxy, switchyard, portkey];
  for (const running of targets) if (running.process !== undefined) processes.push(running.process);

  log('warming up');
  await warmUp(targets, plan);
  const idleRssMb: Partial<Record<TargetName, number>> = {};
  for (const running of targets) if (running.process !== undefined) idleRssMb[running.target.name] = memory(running.process.pid).rssMb;

  log(`grid: ${plan.rounds} rounds per cell, order ${orderLabel(targets)}`);
  const ourPids = processes.map((started) => started.pid);
  const cpuBefore = ourCpu(ourPids);
  const jiffiesBefore = machineJiffies();
  const grid = await runGrid({ plan, targets, progress: (line) => log(`  ${line}`) });
  const jiffiesAfter = machineJiffies();
  const oursMs = ourCpu(ourPids) - cpuBefore;
  const capacityMs = (jiffiesAfter.total - jiffiesBefore.total) * millisPerJiffy();
  const machineBusyMs = (jiffiesAfter.busy - jiffiesBefore.busy) * millisPerJiffy();
  const load = {
    cores: machine.cpus,
    machinePercent: (100 * machineBusyMs) / capacityMs,
    oursPercent: (100 * oursMs) / capacityMs,
    otherPercent: Math.max(0, (100 * (machineBusyMs - oursMs)) / capacityMs),
  };

  const switchyardMemory = switchyard.process === undefined ? undefined : (await query<{ type: 'memory'; usage: NodeJS.MemoryUsage }>(switchyard.process, 'memory')).usage;
  await nullProxy.process?.stop();
  await portkey.process?.stop();
  await switchyard.process?.stop();
  log('the Lambda bundle as a server under load (DynamoDB out of its process)');
  const bundleUnderLoad = await measureBundleUnderLoad(lambdaEnvironment, plan);
  await lambdaEnvironment.close();
  log(`profiling Switchyard under c=10, each mode (${plan.profileSeconds} s per mode)`);
  const profile = await profileSwitchyard(upstream.url, plan);
  log('a heap snapshot of Switchyard in the middle of a c=50 load');
  const heap = await heapAtConcurrency50(upstream.url, plan);
  log('a JSON request asked upstream as JSON and as a stream, per wire kind (the simulator in its own process)');
  const upstreamShape = await compareUpstreamShapes(plan);
  await upstream.process.stop();

  const results: BenchResults = {
    date: date.toISOString(),
    plan: plan.name,
    durationSeconds: (performance.now() - startedAt) / 1000,
    machine,
    load,
    workload: {
      firstTokenMs: SIMULATED_PROVIDER.firstTokenMs,
      tokensPerSecond: SIMULATED_PROVIDER.tokensPerSecond,
      rounds: plan.rounds,
      runBudgetMs: plan.runBudgetMs,
      requestsPerRun: Object.fromEntries(plan.concurrencies.map((concurrency) => [String(concurrency), plan.requestsAt(concurrency)])),
    },
    switchyardNodeFlags: localModeNodeFlags(),
    startupMs: Object.fromEntries(targets.filter((running) => running.startMs !== undefined).map((running) => [running.target.name, running.startMs])),
    idleRssMb,
    switchyardMemoryAfterGridMb: switchyardMemory === undefined ? undefined : megabytes(switchyardMemory),
    grid,
    bundle: { ...bundle, largestInputs: await largestBundleInputs() },
    coldStart,
    bundleUnderLoad,
    profile: { summaries: profile.summaries },
    heap,
    upstreamShape,
  };
  const stamp = date.toISOString().slice(0, 19).replaceAll(':', '-');
  // A quick run's figures are for developing the harness: they go to ignored .tmp files and leave BENCHMARKS.md alone.
  const quick = plan.name === 'quick';
  const resultsFile = quick ? `${stamp}-quick.json.tmp` : `${stamp}.json`;
  const reportFile = quick ? path.join(benchDirectory, 'results', 'BENCHMARKS-quick.md.tmp') : path.join(repositoryRoot, 'BENCHMARKS.md');
  await mkdir(path.join(benchDirectory, 'results'), { recursive: true });
  await writeFile(path.join(benchDirectory, 'results', resultsFile), `${JSON.stringify(results)}\n`);
  await writeFile(reportFile, await renderReport(results, resultsFile, benchDirectory));
  log(`wrote bench/results/${resultsFile} and ${path.relative(repositoryRoot, reportFile)}; raw CPU profile: ${profile.file}`);
  for (const check of checkTargets(results)) {
    console.log(`  ${check.met === undefined ? '?' : check.met ? '✓' : '✗'} ${check.target}: ${check.measured} (${check.limit})`);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
} finally {
  await stopAll();
}

function megabytes(usage: NodeJS.MemoryUsage): Record<string, number> {
  return Object.fromEntries(Object.entries(usage).map(([key, bytes]) => [key, bytes / 1024 ** 2]));
}

/** CPU ms of the harness itself and of its live child processes. */
function ourCpu(pids: readonly number[]): number {
  const own = process.cpuUsage();
  let total = (own.user + own.system) / 1000;
  for (const pid of pids) {
    try {
      total += cpuMillis(pid);
    } catch {
      // It exited; its time is lost to the count, which then errs towards "other load".
    }
  }
  return total;
}

/** The bundle's largest inputs by bytes in the output, grouped by package or source folder (esbuild's metafile). */
/** What the deployed folder holds, by package or lib/ folder, summed over every file of the build (the entry and its chunks). */
async function largestBundleInputs(): Promise<BundleInput[]> {
  let inputs: [string, { bytesInOutput: number }][];
  try {
    const metafile: unknown = JSON.parse(await readFile(path.join(repositoryRoot, 'dist', 'gateway.meta.json'), 'utf8'));
    const outputs = (metafile as { outputs?: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }> }).outputs ?? {};
    inputs = Object.values(outputs).flatMap((output) => Object.entries(output.inputs ?? {}));
  } catch {
    return [];
  }
  const groups = new Map<string, number>();
  for (const [file, input] of inputs) {
    const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const name = packageMatch !== null ? (packageMatch[1] as string) : (/^((?:lib|functions)\/[^/]+)/.exec(file)?.[1] ?? file);
    groups.set(name, (groups.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, bytes]) => ({ name, bytes }));
}
