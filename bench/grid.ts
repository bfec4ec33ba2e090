// The measured grid: every mode × concurrency cell, several rounds, the four
// targets in alternating order within each round (D N S P, then P S N D), so
// a drift in the machine's load falls on all of them alike. Per target and
// cell: latency samples, CPU per request and peak RSS of its process.
import type { Agent } from 'node:http';
import type { BenchPlan } from './bench-plan.ts';
import type { RunningTarget } from './gateways.ts';
import { createAgent, runLoad, type RunResult } from './load-client.ts';
import { cpuMillis, memory, resetPeakMemory } from './process-stats.ts';
import { median, percentile } from './statistics.ts';
import { MODES, requestBody, TARGET_LETTERS, type Mode, type ModeName, type TargetName } from './workload.ts';

export interface RoundRun {
  round: number;
  /** Position in the round's order (0 = first). */
  position: number;
  requests: number;
  errors: number;
  firstError?: string;
  wallMs: number;
  ttfbP50: number;
  ttfbP99: number;
  totalP50: number;
  totalP99: number;
  /** CPU of the target's process during this run, ms. */
  cpuMs?: number;
  /** CPU of its companion process (see RunningTarget) during this run, ms. */
  companionCpuMs?: number;
  /** Raw samples, ms (rounded to 10 µs). */
  ttfb: number[];
  total: number[];
}

export interface TargetCell {
  target: TargetName;
  runs: RoundRun[];
  requests: number;
  errors: number;
  /** Over the pooled samples of every round. */
  ttfbP50: number;
  ttfbP99: number;
  totalP50: number;
  totalP99: number;
  requestsPerSecond: number;
  cpuMsPerRequest?: number;
  /** Peak RSS of the target's process during the cell, MB. */
  peakRssMb?: number;
  companionCpuMsPerRequest?: number;
  companionPeakRssMb?: number;
}

export interface Added {
  /** Median over rounds of (target's p50 − direct's p50 in the same round). */
  ttfbP50: number;
  totalP50: number;
  /** p99 of the target's pooled samples − p99 of direct's pooled samples. */
  ttfbP99: number;
  totalP99: number;
}

export interface CellResult {
  mode: ModeName;
  concurrency: number;
  targets: Partial<Record<TargetName, TargetCell>>;
  added: Partial<Record<TargetName, Added>>;
}

export interface GridOptions {
  plan: BenchPlan;
  targets: readonly RunningTarget[];
  /** Called before each cell, for progress output. */
  progress?: (line: string) => void;
}

export interface GridResult {
  cells: CellResult[];
  /** Whether peak RSS could be reset per cell (else peaks are since process start). */
  perCellPeaks: boolean;
}

export async function warmUp(targets: readonly RunningTarget[], plan: BenchPlan): Promise<void> {
  for (const mode of MODES) {
    for (const running of targets) {
      const { target } = running;
      const agent = createAgent(10);
      await runLoad(target, { concurrency: 10, count: plan.warmUpRequests, budgetMs: plan.runBudgetMs * 2, body: requestBody(target.model, mode), stream: mode.stream }, agent);
      await running.settled?.();
      agent.destroy();
    }
  }
}

export async function runGrid(options: GridOptions): Promise<GridResult> {
  const { plan, targets } = options;
  const cells: CellResult[] = [];
  let perCellPeaks = true;
  for (const concurrency of plan.concurrencies) {
    // One agent per target and concurrency: sockets stay open across modes and rounds.
    const agents = new Map<TargetName, Agent>(targets.map((running) => [running.target.name, createAgent(concurrency)]));
    for (const mode of MODES) {
      options.progress?.(`${mode.name} at concurrency ${concurrency}`);
      for (const running of targets) {
        if (running.process !== undefined) perCellPeaks = resetPeakMemory(running.process.pid) && perCellPeaks;
        if (running.companion !== undefined) resetPeakMemory(running.companion.pid);
      }
      cells.push(await runCell(mode, concurrency, targets, agents, plan));
    }
    for (const agent of agents.values()) agent.destroy();
  }
  return { cells, perCellPeaks };
}

async function runCell(mode: Mode, concurrency: number, targets: readonly RunningTarget[], agents: Map<TargetName, Agent>, plan: BenchPlan): Promise<CellResult> {
  const runs = new Map<TargetName, RoundRun[]>(targets.map((running) => [running.target.name, []]));
  const spec = (running: RunningTarget, count: number): Parameters<typeof runLoad>[1] => ({
    concurrency,
    count,
    budgetMs: plan.runBudgetMs,
    body: requestBody(running.target.model, mode),
    stream: mode.stream,
  });
  // Fill every agent's sockets before measuring: connection set-up is not what is compared.
  for (const running of targets) {
    await runLoad(running.target, spec(running, concurrency * 2), agents.get(running.target.name) as Agent);
    await running.settled?.();
  }
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const [position, running] of order.entries()) {
      const cpuBefore = await running.process?.cpuMillis();
      const companionBefore = running.companion === undefined ? undefined : cpuMillis(running.companion.pid);
      const result = await runLoad(running.target, spec(running, plan.requestsAt(concurrency)), agents.get(running.target.name) as Agent);
      // Bookkeeping after the last byte belongs to this run, not to the next target's.
      await running.settled?.();
      const cpuAfter = await running.process?.cpuMillis();
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      const companionCpuMs = running.companion === undefined || companionBefore === undefined ? undefined : cpuMillis(running.companion.pid) - companionBefore;
      runs.get(running.target.name)?.push({ ...roundRun(round, position, result, cpuMs), ...(companionCpuMs === undefined ? {} : { companionCpuMs }) });
    }
  }
  const cell: CellResult = { mode: mode.name, concurrency, targets: {}, added: {} };
  for (const running of targets) {
    const name = running.target.name;
    cell.targets[name] = targetCell(name, runs.get(name) ?? [], running.process === undefined ? undefined : memory(running.process.pid).peakRssMb);
    const companion = running.companion;
    const target = cell.targets[name];
    if (companion !== undefined && target !== undefined) {
      const measured = target.runs.filter((run) => run.companionCpuMs !== undefined);
      const requests = measured.reduce((sum, run) => sum + run.requests + run.errors, 0);
      if (requests > 0) target.companionCpuMsPerRequest = measured.reduce((sum, run) => sum + (run.companionCpuMs ?? 0), 0) / requests;
      target.companionPeakRssMb = memory(companion.pid).peakRssMb;
    }
  }
  const direct = cell.targets.direct;
  if (direct !== undefined) {
    for (const running of targets) {
      const target = cell.targets[running.target.name];
      if (running.target.name !== 'direct' && target !== undefined) cell.added[running.target.name] = added(target, direct);
    }
  }
  return cell;
}

function roundRun(round: number, position: number, result: RunResult, cpuMs: number | undefined): RoundRun {
  const keep = (values: number[]): number[] => values.map((value) => Math.round(value * 100) / 100);
  return {
    round,
    position,
    requests: result.ttfb.length,
    errors: result.errors,
    ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
    wallMs: result.wallMs,
    ttfbP50: percentile(result.ttfb, 50),
    ttfbP99: percentile(result.ttfb, 99),
    totalP50: percentile(result.total, 50),
    totalP99: percentile(result.total, 99),
    ...(cpuMs === undefined ? {} : { cpuMs }),
    ttfb: keep(result.ttfb),
    total: keep(result.total),
  };
}

function targetCell(target: TargetName, runs: RoundRun[], peakRssMb: number | undefined): TargetCell {
  const ttfb = runs.flatMap((run) => run.ttfb);
  const total = runs.flatMap((run) => run.total);
  const requests = ttfb.length;
  const wallMs = runs.reduce((sum, run) => sum + run.wallMs, 0);
  const cpuRuns = runs.filter((run) => run.cpuMs !== undefined);
  const cpuMs = cpuRuns.reduce((sum, run) => sum + (run.cpuMs ?? 0), 0);
  const cpuRequests = cpuRuns.reduce((sum, run) => sum + run.requests + run.errors, 0);
  return {
    target,
    runs,
    requests,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    totalP50: percentile(total, 50),
    totalP99: percentile(total, 99),
    requestsPerSecond: wallMs === 0 ? 0 : (1000 * requests) / wallMs,
    ...(cpuRuns.length > 0 && cpuRequests > 0 ? { cpuMsPerRequest: cpuMs / cpuRequests } : {}),
    ...(peakRssMb === undefined ? {} : { peakRssMb }),
  };
}

function added(target: TargetCell, direct: TargetCell): Added {
  const perRound = (key: 'ttfbP50' | 'totalP50'): number =>
    median(target.runs.map((run) => run[key] - (direct.runs.find((candidate) => candidate.round === run.round)?.[key] ?? Number.NaN)));
  return {
    ttfbP50: perRound('ttfbP50'),
    totalP50: perRound('totalP50'),
    ttfbP99: target.ttfbP99 - direct.ttfbP99,
    totalP99: target.totalP99 - direct.totalP99,
  };
}

export function orderLabel(targets: readonly RunningTarget[]): string {
  const letters = targets.map((running) => TARGET_LETTERS[running.target.name]);
  return `${letters.join(' ')}, then ${[...letters].reverse().join(' ')}`;
}
