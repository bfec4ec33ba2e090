// `node bench/scale.ts <part> [--quick]`: the runs of "cheap at any size",
// each bounded and on loopback, each writing bench/results/<part>-<date>.json
// and then BENCHMARKS.md again (from the newest full bench results and the
// newest file of every part):
//   sizes        the bundle at 128, 256, 512 and 1024 MB (cgroup CPU share and memory limit)
//   bill         operations per request counted on the wire, priced
//   fleet        50 bundle processes, one request at a time each, on one balance
//   hot-account  5,000 requests a second on one account, simulated with the real ledger
//   report       only render BENCHMARKS.md again
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatRequest } from '../lib/api/chat-request.ts';
import { worstCaseMicros } from '../lib/billing/cost.ts';
import { maxPromptTokens } from '../lib/billing/prompt-size.ts';
import { measureBill } from './bill.ts';
import { FLEET_PLAN, FLEET_SHAPE, runFleet } from './fleet.ts';
import { HOT_RPS, HOT_SCENARIOS, simulateHotAccount } from './hot-account.ts';
import { openCgroups } from './cgroup.ts';
import { startCountingAws, startDynamoCounter, type DynamoCounter } from './counted-aws.ts';
import { repositoryRoot } from './child-process.ts';
import { startUpstream } from './gateways.ts';
import { buildBundle, startLambdaEnvironment } from './lambda-cold-start.ts';
import { gatewayBody, realisticCatalog, REFERENCE_PRICING } from './lambda-box.ts';
import { measureSizes, SIZES_PLAN } from './lambda-sizes.ts';
import { describeMachine } from './machine.ts';
import { machineJiffies } from './process-stats.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';
import type { BillResults, FleetResults, HotAccountResults, LambdaSizesResults, ScalePart } from './scale-results.ts';
import { deployedGatewayMemoryMb } from './scale-sections.ts';

const benchDirectory = import.meta.dirname;
const part = process.argv[2] as ScalePart | 'report' | undefined;
const quick = process.argv.includes('--quick');
const startedAt = performance.now();
const log = (line: string): void => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);

async function save(name: ScalePart, results: object): Promise<void> {
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  const file = path.join(benchDirectory, 'results', quick ? `${name}-${stamp}-quick.json.tmp` : `${name}-${stamp}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 1)}\n`);
  log(`wrote ${path.relative(repositoryRoot, file)}`);
}

/** How busy the whole machine was while `work` ran, % of all cores (the machine is shared). */
async function busyDuring<T>(work: () => Promise<T>): Promise<{ value: T; machineBusyPercent: number }> {
  const before = machineJiffies();
  const value = await work();
  const after = machineJiffies();
  return { value, machineBusyPercent: (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total) };
}

async function sizes(): Promise<void> {
  const machine = describeMachine();
  const cgroups = openCgroups();
  if (!cgroups.ok) {
    log(`skipping the per-memory-size table: ${cgroups.reason}`);
    const skipped: LambdaSizesResults = { kind: 'sizes', date: new Date().toISOString(), plan: quick ? 'quick' : 'full', machine, skipped: cgroups.reason, rows: [], machineBusyPercent: 0 };
    await save('sizes', skipped);
    return;
  }
  log(`cgroup ${cgroups.version}; building the bundle`);
  await buildBundle();
  const upstream = await startUpstream();
  const environment = await startLambdaEnvironment(upstream.url, { catalog: realisticCatalog(upstream.url) });
  try {
    const plan = quick ? { coldRuns: 1, rounds: 2, realisticPerRound: 2, shortPerRound: 4 } : SIZES_PLAN;
    const { value: rows, machineBusyPercent } = await busyDuring(() => measureSizes({ cgroups, environment, upstreamUrl: upstream.url, plan, log }));
    const results: LambdaSizesResults = { kind: 'sizes', date: new Date().toISOString(), plan: quick ? 'quick' : 'full', machine, cgroupVersion: cgroups.version, sizesPlan: plan, rows, machineBusyPercent };
    await save('sizes', results);
  } finally {
    await environment.close();
    await upstream.process.stop();
  }
}

/** BENCHMARKS.md again, from the newest full bench results file (and, through the template, the newest file of each part). */
async function renderBenchmarks(): Promise<string> {
  const folder = path.join(benchDirectory, 'results');
  const full = (await readdir(folder)).filter((name) => /^\d{4}-\d{2}-\d{2}T[\d-]+\.json$/.test(name)).sort().at(-1);
  if (full === undefined) throw new Error('no full bench results file to render BENCHMARKS.md from: run `npm run bench` first');
  const results = JSON.parse(await readFile(path.join(folder, full), 'utf8')) as BenchResults;
  const target = path.join(repositoryRoot, 'BENCHMARKS.md');
  await writeFile(target, await renderReport(results, full, benchDirectory));
  return path.relative(repositoryRoot, target);
}

/** `--memory N`, else the size infra/ deploys the gateway with. */
function memoryArgument(): number {
  const index = process.argv.indexOf('--memory');
  const value = index >= 0 ? Number(process.argv[index + 1]) : deployedGatewayMemoryMb();
  if (value === undefined || !Number.isInteger(value) || value < 128) throw new Error('no memory size: pass --memory <MB>');
  return value;
}

/** The bundle's environment with DynamoDB behind a counting proxy and Firehose and Secrets Manager on a counting stand-in. */
async function countedEnvironment(upstreamUrl: string, seedCreditsMicros?: number) {
  const aws = await startCountingAws({});
  let dynamo: DynamoCounter | undefined;
  const environment = await startLambdaEnvironment(upstreamUrl, {
    catalog: realisticCatalog(upstreamUrl),
    awsUrl: aws.url,
    dynamoEndpoint: async (endpoint) => (dynamo = await startDynamoCounter(endpoint, () => performance.now())).endpoint,
    ...(seedCreditsMicros === undefined ? {} : { seedCreditsMicros }),
  });
  const counter = dynamo as unknown as DynamoCounter;
  return {
    environment,
    dynamo: counter,
    aws,
    async close() {
      await counter.close();
      await aws.close();
      await environment.close();
    },
  };
}

async function bill(): Promise<void> {
  const machine = describeMachine();
  const memoryMb = memoryArgument();
  const cgroups = openCgroups();
  if (!cgroups.ok) log(`measuring without a box (${cgroups.reason}): the gateway's time is that of an unthrottled process`);
  log(`building the bundle; the bill at ${memoryMb} MB`);
  await buildBundle();
  const upstream = await startUpstream();
  const counted = await countedEnvironment(upstream.url);
  try {
    const { value: result, machineBusyPercent } = await busyDuring(() =>
      measureBill({
        ...counted,
        upstreamUrl: upstream.url,
        memoryMb,
        box: (name) => (cgroups.ok ? cgroups.create(`switchyard-bench-${process.pid}-${name}`, memoryMb) : undefined),
        requestsPerKind: quick ? 5 : 30,
        log,
      }),
    );
    const results: BillResults = { kind: 'bill', date: new Date().toISOString(), plan: quick ? 'quick' : 'full', machine, machineBusyPercent, result };
    await save('bill', results);
  } finally {
    await counted.close();
    await upstream.process.stop();
  }
}

async function fleet(): Promise<void> {
  const machine = describeMachine();
  const plan = quick ? { ...FLEET_PLAN, processes: 8, balanceWorstCases: 300, budgetMs: 30_000 } : FLEET_PLAN;
  log(`building the bundle; a fleet of ${plan.processes} processes on one balance`);
  await buildBundle();
  const upstream = await startUpstream();
  const worstCase = worstCaseMicros(maxPromptTokens(JSON.parse(gatewayBody(FLEET_SHAPE)) as ChatRequest), FLEET_SHAPE.maxTokens, REFERENCE_PRICING);
  const counted = await countedEnvironment(upstream.url, plan.balanceWorstCases * worstCase);
  try {
    const { value: result, machineBusyPercent } = await busyDuring(() => runFleet({ environment: counted.environment, dynamo: counted.dynamo, plan, log }));
    log(`  admitted ${result.admitted}, refused ${result.refused} (${result.falseRefusals} false), overspend ${result.overspendMicros} µ$, left ${result.leftAtEndWorstCases.toFixed(2)} worst cases; account item ${result.accountItem.writesPerAdmitted.toFixed(2)} writes per admitted request, peak ${result.accountItem.peakWritesPerSecond}/s`);
    const results: FleetResults = { kind: 'fleet', date: new Date().toISOString(), plan: quick ? 'quick' : 'full', machine, machineBusyPercent, fleetPlan: plan, label: labelArgument(), result };
    await save('fleet', results);
  } finally {
    await counted.close();
    await upstream.process.stop();
  }
}

async function hotAccount(): Promise<void> {
  const machine = describeMachine();
  const options = quick ? { rps: 500, durationMs: 1_000, seconds: 6 } : { rps: HOT_RPS, durationMs: 1_000, seconds: 20 };
  const { value: runs, machineBusyPercent } = await busyDuring(async () => {
    const done = [];
    for (const scenario of HOT_SCENARIOS) {
      log(`  ${scenario.label}: ${options.rps} requests/s of ${options.durationMs} ms for ${options.seconds} simulated s`);
      const run = await simulateHotAccount(scenario, options);
      log(`    busiest account item ${run.accountItem.meanWriteUnitsPerSecond.toFixed(0)} WCU/s (${run.accountItem.meanWritesPerSecond.toFixed(0)} writes/s), key item ${run.keyItem.meanWriteUnitsPerSecond.toFixed(0)} WCU/s, ${run.failed} failed, ${run.oversizedWrites} oversized`);
      done.push(run);
    }
    return done;
  });
  const results: HotAccountResults = { kind: 'hot-account', date: new Date().toISOString(), plan: quick ? 'quick' : 'full', machine, machineBusyPercent, runs };
  await save('hot-account', results);
}

/** `--label <text>`: what this run's code is (e.g. before a fix), kept with its results. */
function labelArgument(): string | undefined {
  const index = process.argv.indexOf('--label');
  return index >= 0 ? process.argv[index + 1] : undefined;
}

try {
  switch (part) {
    case 'fleet':
      await fleet();
      break;
    case 'hot-account':
      await hotAccount();
      break;
    case 'sizes':
      await sizes();
      break;
    case 'bill':
      await bill();
      break;
    case 'report':
      break;
    default:
      throw new Error('usage: node bench/scale.ts sizes|bill|fleet|hot-account|report [--quick]');
  }
  if (!quick) log(`wrote ${await renderBenchmarks()}`);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
}
