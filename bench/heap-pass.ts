// What holds Switchyard's memory at c=50: a heap snapshot taken in the middle
// of a c=50 load of 1000-chunk streams (every stream in flight), summarised
// by what V8 holds it as. A process of its own, after the grid, so the pause
// the snapshot costs falls on no measured run.
import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import type { BenchPlan } from './bench-plan.ts';
import { query } from './child-process.ts';
import { startSwitchyard } from './gateways.ts';
import { createAgent, runLoad } from './load-client.ts';
import { memory } from './process-stats.ts';
import { MODES, requestBody } from './workload.ts';

const CONCURRENCY = 50;

export interface HeapHolder {
  /** V8's node type, with the constructor's name for objects and closures. */
  name: string;
  megabytes: number;
}

export interface HeapPassResult {
  /** Heap in the snapshot (the live heap: a snapshot collects first), MB. */
  liveHeapMb: number;
  /** RSS of the process when the snapshot was asked for, MB. */
  rssMb: number;
  holders: HeapHolder[];
}

const snapshotShape = z.object({
  snapshot: z.object({ meta: z.object({ node_fields: z.array(z.string()), node_types: z.array(z.unknown()) }) }),
  nodes: z.array(z.number()),
  strings: z.array(z.string()),
});

export async function heapAtConcurrency50(upstreamUrl: string, plan: BenchPlan): Promise<HeapPassResult> {
  const running = await startSwitchyard(upstreamUrl);
  const started = running.process;
  if (started === undefined) throw new Error('Switchyard has no process');
  try {
    const mode = MODES.find((candidate) => candidate.name === 'stream-1000');
    if (mode === undefined) throw new Error('no stream-1000 mode');
    const body = requestBody(running.target.model, mode);
    const agent = createAgent(CONCURRENCY);
    const load = runLoad(running.target, { concurrency: CONCURRENCY, count: plan.requestsAt(CONCURRENCY), budgetMs: plan.runBudgetMs * 2, body, stream: true }, agent);
    // Once the first replies are back every worker is mid-stream: snapshot then.
    await runLoad(running.target, { concurrency: 1, count: 1, budgetMs: plan.runBudgetMs, body, stream: true }, createAgent(1));
    const rssMb = memory(started.pid).rssMb;
    const { file } = await query<{ type: 'heap-snapshot'; file: string }>(started, 'heap-snapshot');
    await load;
    agent.destroy();
    const summary = summarise(snapshotShape.parse(JSON.parse(await readFile(file, 'utf8'))));
    await rm(file, { force: true });
    return { rssMb, ...summary };
  } finally {
    await started.stop();
  }
}

function summarise(snapshot: z.infer<typeof snapshotShape>): Omit<HeapPassResult, 'rssMb'> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = z.array(z.string()).parse(snapshot.snapshot.meta.node_types[0]);
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byHolder = new Map<string, number>();
  let total = 0;
  for (let index = 0; index < snapshot.nodes.length; index += width) {
    const type = types[snapshot.nodes[index + typeAt] as number] ?? 'unknown';
    const size = snapshot.nodes[index + sizeAt] as number;
    const name = type === 'object' || type === 'closure' ? `${type} ${snapshot.strings[snapshot.nodes[index + nameAt] as number] ?? ''}` : type;
    byHolder.set(name, (byHolder.get(name) ?? 0) + size);
    total += size;
  }
  const holders = [...byHolder]
    .sort(([, a], [, b]) => b - a)
    .slice(0, 12)
    .map(([name, bytes]) => ({ name, megabytes: bytes / 1e6 }));
  return { liveHeapMb: total / 1e6, holders };
}
