// The issue's targets, checked against one run's numbers.
import type { Added, CellResult } from './grid.ts';
import type { BenchResults } from './results.ts';
import type { ModeName, TargetName } from './workload.ts';

export interface TargetCheck {
  target: string;
  limit: string;
  measured: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

function cell(results: BenchResults, mode: ModeName, concurrency: number): CellResult | undefined {
  return results.grid.cells.find((candidate) => candidate.mode === mode && candidate.concurrency === concurrency);
}

function addedOf(results: BenchResults, mode: ModeName, concurrency: number, target: TargetName): Added | undefined {
  return cell(results, mode, concurrency)?.added[target];
}

const ms = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)} ms`);

/** The issue whose targets these are: "Ahead of Portkey in every cell". */
export const TARGETS_ISSUE = 'issue 12';

const MODES: readonly { mode: ModeName; label: string; portkeyFactor: number }[] = [
  { mode: 'json', label: 'non-streaming', portkeyFactor: 0.5 },
  { mode: 'stream-50', label: 'streaming, 50 chunks', portkeyFactor: 0.2 },
  { mode: 'stream-1000', label: 'streaming, 1000 chunks', portkeyFactor: 0.2 },
];

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const concurrencies = [...new Set(results.grid.cells.map((found) => found.concurrency))].sort((a, b) => a - b);
  for (const { mode, label, portkeyFactor } of MODES) {
    for (const concurrency of concurrencies) {
      const ours = addedOf(results, mode, concurrency, 'switchyard')?.ttfbP50;
      const portkey = addedOf(results, mode, concurrency, 'portkey')?.ttfbP50;
      checks.push(ratioCheck(`Added TTFB (median) vs Portkey's, c=${concurrency}, ${label}`, ours, portkey, portkeyFactor, 'Portkey'));
    }
  }
  for (const { mode, label } of MODES) {
    const ours = addedOf(results, mode, 1, 'switchyard')?.ttfbP50;
    const floor = addedOf(results, mode, 1, 'null-proxy')?.ttfbP50;
    checks.push(ratioCheck(`Added TTFB (median) vs the null proxy's, c=1, ${label}`, ours, floor, 2, 'null proxy'));
  }
  for (const { mode, label } of MODES) {
    for (const concurrency of concurrencies) {
      const found = cell(results, mode, concurrency);
      const ours = found?.targets.switchyard?.cpuMsPerRequest;
      const portkey = found?.targets.portkey?.cpuMsPerRequest;
      const ratio = ours === undefined || portkey === undefined || portkey <= 0 ? undefined : ours / portkey;
      checks.push({
        target: `CPU per request vs Portkey's, c=${concurrency}, ${label}`,
        limit: '≤ 0.6 × Portkey',
        measured: ratio === undefined ? 'n/a' : `${ratio.toFixed(2)} × (${ms(ours)} vs ${ms(portkey)})`,
        met: ratio === undefined ? undefined : ratio <= 0.6,
      });
    }
  }
  for (const concurrency of concurrencies.filter((value) => value <= 10)) {
    const found = cell(results, 'stream-1000', concurrency);
    const ours = found?.targets.switchyard?.totalP50;
    const direct = found?.targets.direct?.totalP50;
    const ratio = ours === undefined || direct === undefined ? undefined : ours / direct;
    checks.push({
      target: `1000-chunk stream, total time (median) vs direct, c=${concurrency}`,
      limit: '≤ 1.10 × direct',
      measured: ratio === undefined ? 'n/a' : `${ratio.toFixed(2)} × (${ms(ours)} vs ${ms(direct)})`,
      met: ratio === undefined ? undefined : ratio <= 1.1,
    });
  }
  const peaks = results.grid.cells.filter((candidate) => candidate.concurrency === 50).map((candidate) => candidate.targets.switchyard?.peakRssMb ?? Number.NaN);
  const peak = peaks.length === 0 ? undefined : Math.max(...peaks);
  checks.push(memoryCheck('Switchyard (local mode) peak RSS at c=50 (the gateway process; its DynamoDB stand-in is reported apart)', peak));
  const bundlePeak = results.bundleUnderLoad.cells.find((found) => found.concurrency === 50)?.peakRssMb;
  checks.push(memoryCheck('The same, for the Lambda bundle served as one process under the same load', bundlePeak));
  const warm = results.coldStart.warmPath;
  checks.push({
    target: 'Lambda bundle: warm invocation, first byte added over the upstream asked directly (median)',
    limit: '≤ 3 ms',
    measured: warm === undefined ? 'n/a' : `${ms(warm.addedMs)} (${ms(warm.totalMs)} vs ${ms(warm.directMs)}, ${warm.invocations} invocations)`,
    met: warm === undefined ? undefined : warm.addedMs <= 3,
  });
  const coldStart = results.coldStart.medianMs;
  checks.push({
    target: 'Lambda bundle: process start → first response byte (median)',
    limit: '≤ 150 ms',
    measured: `${ms(coldStart)} (max ${ms(results.coldStart.maxMs)}, ${results.coldStart.runs.length} runs)`,
    met: Number.isFinite(coldStart) ? coldStart <= 150 : undefined,
  });
  return checks;
}

function memoryCheck(target: string, peakMb: number | undefined): TargetCheck {
  const known = peakMb !== undefined && Number.isFinite(peakMb);
  return { target, limit: '≤ 150 MB', measured: known ? `${peakMb.toFixed(0)} MB` : 'n/a', met: known ? peakMb <= 150 : undefined };
}

/** ours ≤ factor × theirs. When theirs is at or below zero (within noise of direct), only ours ≤ 0 passes. */
function ratioCheck(target: string, ours: number | undefined, theirs: number | undefined, factor: number, who: string): TargetCheck {
  if (ours === undefined || theirs === undefined || !Number.isFinite(ours) || !Number.isFinite(theirs)) {
    return { target, limit: `≤ ${factor} × ${who}`, measured: 'n/a', met: undefined };
  }
  const ratio = theirs > 0 ? `${(ours / theirs).toFixed(2)} × ` : '';
  return {
    target,
    limit: `≤ ${factor} × ${who}`,
    measured: `${ratio}(${ms(ours)} vs ${ms(theirs)})`,
    met: ours <= factor * Math.max(theirs, 0),
  };
}
