// The gateway bundle at each Lambda memory size: in a box with that size's
// CPU share and memory limit (bench/cgroup.ts), one request at a time, as one
// execution environment serves them. Per size: cold starts (a fresh process
// per run: spawn → first byte of the realistic request, to a provider that
// answers at once, so the figure is the gateway's own), then one warm process
// serving, in alternating rounds with the same request sent to the mock
// upstream directly, the realistic request (a 100 KB prompt, four tools, a
// 1000-chunk stream) and the bench's short one (one sentence, 50 chunks).
// DynamoDB (dynalite) and the mock upstream run outside the box, as they are
// outside the function on AWS.
import { performance } from 'node:perf_hooks';
import { cpuShare, lambdaNodeFlags, type CgroupSupport } from './cgroup.ts';
import { nextMessage, type StartedProcess } from './child-process.ts';
import { functionUrlEvent, type LambdaEnvironment } from './lambda-cold-start.ts';
import { coldStartInBox, directBody, gatewayBody, REALISTIC, startBoxed, type ColdStart, type RequestShape } from './lambda-box.ts';
import { createAgent, runLoad, type RunResult } from './load-client.ts';
import { memory, resetPeakMemory } from './process-stats.ts';
import { median } from './statistics.ts';
import { SIMULATED_PROVIDER, SWITCHYARD_MODEL, type Target } from './workload.ts';

export const MEMORY_SIZES = [128, 256, 512, 1024] as const;

export const SHORT: RequestShape = { promptBytes: 80, tools: false, stream: true, maxTokens: 50 };

export interface WarmCell {
  /** Median over rounds of (gateway p50 − direct p50), ms. */
  addedTtfbMs: number;
  addedTotalMs: number;
  ttfbP50: number;
  totalP50: number;
  directTtfbP50: number;
  directTotalP50: number;
  cpuMsPerRequest: number;
  requests: number;
  errors: number;
  firstError?: string;
}

export interface SizeRow {
  memoryMb: number;
  cpuShare: number;
  nodeFlags: string[];
  cold: { runs: ColdStart[]; medianMs: number; maxMs: number };
  realistic: WarmCell;
  short: WarmCell;
  /** VmHWM of the warm process over its measured requests, MB. */
  peakRssMb: number;
  /** The box's own peak (the process, its page cache and kernel memory), MB. */
  boxPeakMb: number | undefined;
  throttledPeriods: number;
}

export interface SizesPlan {
  coldRuns: number;
  rounds: number;
  realisticPerRound: number;
  shortPerRound: number;
}

export const SIZES_PLAN: SizesPlan = { coldRuns: 5, rounds: 3, realisticPerRound: 8, shortPerRound: 20 };

export async function measureSizes(options: {
  cgroups: Extract<CgroupSupport, { ok: true }>;
  environment: LambdaEnvironment;
  upstreamUrl: string;
  plan: SizesPlan;
  log: (line: string) => void;
}): Promise<SizeRow[]> {
  const { cgroups, environment, plan, log } = options;
  const rows: SizeRow[] = [];
  for (const memoryMb of MEMORY_SIZES) {
    const coldRuns: ColdStart[] = [];
    const coldEnv = { ...environment.env, SWITCHYARD_BENCH_EVENT: JSON.stringify(functionUrlEvent(environment.apiKey, gatewayBody({ ...REALISTIC, maxTokens: 16 }, true))) };
    for (let run = 0; run < plan.coldRuns; run += 1) {
      const box = cgroups.create(`switchyard-bench-${process.pid}-cold-${memoryMb}-${run}`, memoryMb);
      try {
        coldRuns.push(await coldStartInBox({ name: `cold start at ${memoryMb} MB`, memoryMb, box, env: coldEnv }));
      } finally {
        box.remove();
      }
    }
    const times = coldRuns.map((run) => run.spawnToFirstByteMs);
    log(`  ${memoryMb} MB: cold start median ${median(times).toFixed(0)} ms`);

    const box = cgroups.create(`switchyard-bench-${process.pid}-warm-${memoryMb}`, memoryMb);
    const started = startBoxed({ name: `warm process at ${memoryMb} MB`, memoryMb, box, env: { ...environment.env, SWITCHYARD_BENCH_MODE: 'serve' } });
    try {
      const { url } = await nextMessage<{ type: 'ready'; url: string }>(started, 'ready', 120_000);
      const gateway: Target = { name: 'switchyard', url: new URL(`${url}/api/v1/chat/completions`), model: SWITCHYARD_MODEL, headers: { authorization: `Bearer ${environment.apiKey}` } };
      const direct: Target = { name: 'direct', url: new URL(`${options.upstreamUrl}/${SIMULATED_PROVIDER.id}/chat/completions`), model: SIMULATED_PROVIDER.upstreamModel, headers: {} };
      const agent = createAgent(1);
      // Warm-up: the lazily loaded parts load, the key is cached, a lease is taken.
      for (const shape of [REALISTIC, SHORT]) await runLoad(gateway, { concurrency: 1, count: 3, budgetMs: 120_000, body: gatewayBody(shape), stream: true }, agent);
      resetPeakMemory(started.pid);
      const throttledBefore = box.throttledPeriods();
      const realistic = await warmCell({ started, gateway, direct, shape: REALISTIC, perRound: plan.realisticPerRound, rounds: plan.rounds, agent });
      const short = await warmCell({ started, gateway, direct, shape: SHORT, perRound: plan.shortPerRound, rounds: plan.rounds, agent });
      agent.destroy();
      rows.push({
        memoryMb,
        cpuShare: cpuShare(memoryMb),
        nodeFlags: lambdaNodeFlags(memoryMb),
        cold: { runs: coldRuns, medianMs: median(times), maxMs: Math.max(...times) },
        realistic,
        short,
        peakRssMb: memory(started.pid).peakRssMb,
        boxPeakMb: box.peakMb(),
        throttledPeriods: box.throttledPeriods() - throttledBefore,
      });
      log(`  ${memoryMb} MB: realistic added first byte ${realistic.addedTtfbMs.toFixed(1)} ms, 1000-chunk total ${realistic.totalP50.toFixed(0)} ms; short added first byte ${short.addedTtfbMs.toFixed(1)} ms`);
    } finally {
      await started.stop();
      box.remove();
    }
  }
  return rows;
}

async function warmCell(options: {
  started: StartedProcess;
  gateway: Target;
  direct: Target;
  shape: RequestShape;
  perRound: number;
  rounds: number;
  agent: ReturnType<typeof createAgent>;
}): Promise<WarmCell> {
  const { started, gateway, direct, shape, perRound, agent } = options;
  const spec = (body: string) => ({ concurrency: 1, count: perRound, budgetMs: 120_000, body, stream: shape.stream });
  const addedTtfb: number[] = [];
  const addedTotal: number[] = [];
  const ours: RunResult[] = [];
  const theirs: RunResult[] = [];
  let cpuMs = 0;
  for (let round = 0; round < options.rounds; round += 1) {
    // Alternate which goes first, so drift falls on both alike.
    const directFirst = round % 2 === 0;
    const runDirect = () => runLoad(direct, spec(directBody(shape)), agent);
    const runGateway = async () => {
      const before = await started.cpuMillis();
      const result = await runLoad(gateway, spec(gatewayBody(shape)), agent);
      cpuMs += (await started.cpuMillis()) - before;
      return result;
    };
    const [first, second] = directFirst ? [await runDirect(), await runGateway()] : [await runGateway(), await runDirect()];
    const directRun = directFirst ? first : second;
    const gatewayRun = directFirst ? second : first;
    theirs.push(directRun);
    ours.push(gatewayRun);
    addedTtfb.push(median(gatewayRun.ttfb) - median(directRun.ttfb));
    addedTotal.push(median(gatewayRun.total) - median(directRun.total));
  }
  const requests = ours.reduce((sum, run) => sum + run.ttfb.length, 0);
  const errors = ours.reduce((sum, run) => sum + run.errors, 0);
  const firstError = ours.find((run) => run.firstError !== undefined)?.firstError;
  return {
    addedTtfbMs: median(addedTtfb),
    addedTotalMs: median(addedTotal),
    ttfbP50: median(ours.flatMap((run) => run.ttfb)),
    totalP50: median(ours.flatMap((run) => run.total)),
    directTtfbP50: median(theirs.flatMap((run) => run.ttfb)),
    directTotalP50: median(theirs.flatMap((run) => run.total)),
    cpuMsPerRequest: cpuMs / Math.max(1, requests + errors),
    requests,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

export const elapsedSince = (startedAt: number): number => (performance.now() - startedAt) / 1000;
