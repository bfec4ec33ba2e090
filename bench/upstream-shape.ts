// JSON upstream or streamed upstream, for a caller who asked for one JSON
// body (settings.jsonUpstream): each wire kind the simulator speaks, asked
// both ways by the same Switchyard code, at c=10. The simulator runs in a
// process of its own (its cost is not Switchyard's); Switchyard's CPU per
// request and the added first byte over the simulator asked directly are what
// the choice per kind rests on.
import type { BenchPlan } from './bench-plan.ts';
import { nextMessage, query, startProcess } from './child-process.ts';
import { startSwitchyard } from './gateways.ts';
import { createAgent, runLoad } from './load-client.ts';
import { median } from './statistics.ts';
import { requestBody, UPSTREAM_SHAPE_KINDS, upstreamShapeModel, type UpstreamShapeKind } from './workload.ts';

const CONCURRENCY = 10;
const SHAPES = ['json', 'stream'] as const;
type UpstreamShape = (typeof SHAPES)[number];

export interface UpstreamShapeCell {
  kind: UpstreamShapeKind;
  /** How Switchyard asked the upstream. */
  upstream: UpstreamShape;
  requests: number;
  errors: number;
  cpuMsPerRequest: number;
  ttfbP50: number;
}

export async function compareUpstreamShapes(plan: BenchPlan): Promise<UpstreamShapeCell[]> {
  const simulator = startProcess({ name: 'simulator', args: ['bench/processes/simulator-process.ts'], ipc: true });
  const cells: UpstreamShapeCell[] = [];
  try {
    const { url } = await nextMessage<{ type: 'ready'; url: string }>(simulator, 'ready');
    for (const upstream of SHAPES) {
      const settings = { jsonUpstream: upstream === 'json' ? [...UPSTREAM_SHAPE_KINDS] : [] };
      const running = await startSwitchyard(url, { variant: { catalog: 'upstream-shape', settings } });
      const started = running.process;
      if (started === undefined) throw new Error('Switchyard has no process');
      const targetOf = (kind: UpstreamShapeKind) => {
        const target = { ...running.target, model: upstreamShapeModel(kind) };
        return { target, body: requestBody(target.model, { stream: false, maxTokens: 50 }) };
      };
      try {
        // Every kind warmed before any is measured: the first one measured must not pay the process's own warm-up.
        for (const kind of UPSTREAM_SHAPE_KINDS) {
          const { target, body } = targetOf(kind);
          const agent = createAgent(CONCURRENCY);
          await runLoad(target, { concurrency: CONCURRENCY, count: plan.warmUpRequests, budgetMs: plan.runBudgetMs * 2, body, stream: false }, agent);
          agent.destroy();
        }
        for (const kind of UPSTREAM_SHAPE_KINDS) {
          const { target, body } = targetOf(kind);
          const agent = createAgent(CONCURRENCY);
          await runLoad(target, { concurrency: CONCURRENCY, count: plan.warmUpRequests, budgetMs: plan.runBudgetMs * 2, body, stream: false }, agent);
          await query(started, 'idle');
          const cpuBefore = await started.cpuMillis();
          const result = await runLoad(target, { concurrency: CONCURRENCY, count: plan.requestsAt(CONCURRENCY) * 2, budgetMs: plan.runBudgetMs * 2, body, stream: false }, agent);
          await query(started, 'idle');
          const cpuMs = (await started.cpuMillis()) - cpuBefore;
          agent.destroy();
          cells.push({ kind, upstream, requests: result.ttfb.length, errors: result.errors, cpuMsPerRequest: cpuMs / Math.max(1, result.ttfb.length), ttfbP50: median(result.ttfb) });
        }
      } finally {
        await started.stop();
      }
    }
  } finally {
    await simulator.stop();
  }
  return cells;
}
