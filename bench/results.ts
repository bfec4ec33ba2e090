// The raw numbers of one run, as written to bench/results/<date>.json.
import type { ProfileSummary } from './cpu-profile.ts';
import type { GridResult } from './grid.ts';
import type { HeapPassResult } from './heap-pass.ts';
import type { UpstreamShapeCell } from './upstream-shape.ts';
import type { BundleSize, ColdStartResult } from './lambda-cold-start.ts';
import type { BundleLoadResult } from './lambda-server.ts';
import type { MachineInfo } from './machine.ts';
import type { TargetName } from './workload.ts';

export interface BundleInput {
  name: string;
  bytes: number;
}

export interface BenchResults {
  date: string;
  plan: 'full' | 'quick';
  durationSeconds: number;
  machine: MachineInfo;
  /** Machine CPU during the grid: all of it, ours (harness and every child), and what other work took. */
  load: { machinePercent: number; oursPercent: number; otherPercent: number; cores: number };
  workload: { firstTokenMs: number; tokensPerSecond: number; rounds: number; runBudgetMs: number; requestsPerRun: Record<string, number> };
  /** The Node flags Switchyard ran with: those of `npm start`. */
  switchyardNodeFlags?: string[];
  /** Spawn → ready (Portkey: → its first completed request), ms. */
  startupMs: Partial<Record<TargetName, number>>;
  /** RSS right after start-up and warm-up, MB. */
  idleRssMb: Partial<Record<TargetName, number>>;
  /** Switchyard's process.memoryUsage() after the last cell and a full collection, MB: where its RSS is (heap, external, array buffers). */
  switchyardMemoryAfterGridMb: Record<string, number> | undefined;
  grid: GridResult;
  bundle: BundleSize & { largestInputs: BundleInput[] };
  coldStart: ColdStartResult;
  bundleUnderLoad: BundleLoadResult;
  profile: { summaries: ProfileSummary[] };
  /** What holds the heap in the middle of a c=50 load (absent from runs before it was measured). */
  heap?: HeapPassResult;
  /** A JSON request asked upstream as JSON and as a stream, per wire kind (absent from runs before it was measured). */
  upstreamShape?: UpstreamShapeCell[];
}
