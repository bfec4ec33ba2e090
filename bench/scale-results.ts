// The raw numbers of the "cheap at any size" runs (bench/scale.ts), one file
// per run: bench/results/<part>-<date>.json.
import type { BillResult } from './bill.ts';
import type { CgroupVersion } from './cgroup.ts';
import type { FleetPlan, FleetResult } from './fleet.ts';
import type { HotAccountRun } from './hot-account.ts';
import type { SizeRow, SizesPlan } from './lambda-sizes.ts';
import type { MachineInfo } from './machine.ts';

export type ScalePart = 'sizes' | 'bill' | 'fleet' | 'hot-account';

interface RunHeader {
  date: string;
  plan: 'full' | 'quick';
  machine: MachineInfo;
  /** The whole machine's CPU while the run measured, % of all cores: the machine is shared. */
  machineBusyPercent: number;
}

export interface LambdaSizesResults extends RunHeader {
  kind: 'sizes';
  /** Why the table was not measured (cgroups not writable), if it was not. */
  skipped?: string;
  cgroupVersion?: CgroupVersion;
  sizesPlan?: SizesPlan;
  rows: SizeRow[];
}

export interface BillResults extends RunHeader {
  kind: 'bill';
  result: BillResult;
}

export interface FleetResults extends RunHeader {
  kind: 'fleet';
  fleetPlan: FleetPlan;
  /** What the code under test was, when a run is kept for comparison (e.g. "before the lease fix"). */
  label?: string;
  result: FleetResult;
}

export interface HotAccountResults extends RunHeader {
  kind: 'hot-account';
  runs: HotAccountRun[];
}
