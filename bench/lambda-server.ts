// The Lambda bundle's own CPU and memory under load: the stand-in runtime in
// `serve` mode (one Function URL event per HTTP request, all in one process)
// with DynamoDB in the harness's process, as it is outside the function on
// AWS. Local mode carries dynalite and tsx in its process; this does not, so
// the two together show how much of local mode's footprint is the gateway's.
// (On Lambda each instance serves one request at a time; one process at c=50
// is the worst case for a long-running server, not a Lambda figure.)
import path from 'node:path';
import type { BenchPlan } from './bench-plan.ts';
import { nextMessage, query, repositoryRoot, startProcess } from './child-process.ts';
import type { LambdaEnvironment } from './lambda-cold-start.ts';
import { createAgent, runLoad } from './load-client.ts';
import { memory, resetPeakMemory } from './process-stats.ts';
import { percentile } from './statistics.ts';
import { MODES, requestBody, SWITCHYARD_MODEL } from './workload.ts';

export interface BundleLoadCell {
  concurrency: number;
  requests: number;
  errors: number;
  ttfbP50: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
}

export interface BundleLoadResult {
  mode: string;
  idleRssMb: number;
  cells: BundleLoadCell[];
  /** process.memoryUsage() after the last cell and a full collection, MB. */
  memoryAfterMb: Record<string, number>;
}

export async function measureBundleUnderLoad(environment: LambdaEnvironment, plan: BenchPlan): Promise<BundleLoadResult> {
  const started = startProcess({
    name: 'bundle server',
    args: ['--expose-gc', path.join(repositoryRoot, 'bench', 'processes', 'lambda-runtime-stand-in.mjs')],
    env: { ...environment.env, SWITCHYARD_BENCH_MODE: 'serve' },
    ipc: true,
  });
  try {
    const { url } = await nextMessage<{ type: 'ready'; url: string }>(started, 'ready');
    const mode = MODES.find((candidate) => candidate.name === 'stream-50') ?? MODES[0];
    if (mode === undefined) throw new Error('no mode to measure');
    const target = { name: 'switchyard' as const, url: new URL(`${url}/api/v1/chat/completions`), model: SWITCHYARD_MODEL, headers: { authorization: `Bearer ${environment.apiKey}` } };
    const body = requestBody(SWITCHYARD_MODEL, mode);
    const warmAgent = createAgent(10);
    await runLoad(target, { concurrency: 10, count: plan.warmUpRequests, budgetMs: plan.runBudgetMs * 2, body, stream: true }, warmAgent);
    warmAgent.destroy();
    const idleRssMb = memory(started.pid).rssMb;
    const cells: BundleLoadCell[] = [];
    for (const concurrency of plan.concurrencies) {
      const agent = createAgent(concurrency);
      await runLoad(target, { concurrency, count: concurrency * 2, budgetMs: plan.runBudgetMs, body, stream: true }, agent);
      resetPeakMemory(started.pid);
      const cpuBefore = await started.cpuMillis();
      const result = await runLoad(target, { concurrency, count: plan.requestsAt(concurrency) * 2, budgetMs: plan.runBudgetMs * 2, body, stream: true }, agent);
      const cpuMs = (await started.cpuMillis()) - cpuBefore;
      agent.destroy();
      cells.push({
        concurrency,
        requests: result.ttfb.length,
        errors: result.errors,
        ttfbP50: percentile(result.ttfb, 50),
        cpuMsPerRequest: cpuMs / Math.max(1, result.ttfb.length + result.errors),
        peakRssMb: memory(started.pid).peakRssMb,
      });
    }
    const usage = (await query<{ type: 'memory'; usage: Record<string, number> }>(started, 'memory')).usage;
    return {
      mode: mode.name,
      idleRssMb,
      cells,
      memoryAfterMb: Object.fromEntries(Object.entries(usage).map(([key, bytes]) => [key, bytes / 1024 ** 2])),
    };
  } finally {
    await started.stop();
  }
}
