// The targets, checked against one run's numbers.
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

const MEGABYTE = 1_000_000;

function cell(results: BenchResults, mode: ModeName, concurrency: number): CellResult | undefined {
  return results.grid.cells.find((candidate) => candidate.mode === mode && candidate.concurrency === concurrency);
}

function addedOf(results: BenchResults, mode: ModeName, concurrency: number, target: TargetName): Added | undefined {
  return cell(results, mode, concurrency)?.added[target];
}

const ms = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)} ms`);

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const modes: { mode: ModeName; label: string }[] = [
    { mode: 'json', label: 'non-streaming' },
    { mode: 'stream-50', label: 'streaming, 50 chunks' },
    { mode: 'stream-1000', label: 'streaming, 1000 chunks' },
  ];
  for (const { mode, label } of modes) {
    const added = addedOf(results, mode, 1, 'switchyard')?.ttfbP50;
    checks.push({ target: `Added TTFB, median, c=1, ${label}`, limit: '≤ 1 ms', measured: ms(added), met: added === undefined ? undefined : added <= 1 });
  }
  for (const { mode, label } of modes) {
    const added = addedOf(results, mode, 10, 'switchyard')?.ttfbP99;
    checks.push({ target: `Added TTFB, p99, c=10, ${label}`, limit: '≤ 3 ms', measured: ms(added), met: added === undefined ? undefined : added <= 3 });
  }
  for (const { mode, label } of modes) {
    const ours = addedOf(results, mode, 10, 'switchyard')?.ttfbP50;
    const portkey = addedOf(results, mode, 10, 'portkey')?.ttfbP50;
    checks.push(ratioCheck(`Added TTFB (median) vs Portkey's, c=10, ${label}`, ours, portkey, 0.2, 'Portkey'));
  }
  for (const { mode, label } of modes) {
    const ours = addedOf(results, mode, 1, 'switchyard')?.ttfbP50;
    const floor = addedOf(results, mode, 1, 'null-proxy')?.ttfbP50;
    checks.push(ratioCheck(`Added TTFB (median) vs the null proxy's, c=1, ${label}`, ours, floor, 2, 'null proxy'));
  }
  for (const concurrency of results.grid.cells.filter((candidate) => candidate.mode === 'stream-1000').map((candidate) => candidate.concurrency)) {
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
  const bytes = results.bundle.bytes;
  checks.push({
    target: 'Gateway bundle size (dist/gateway/: the entry and its chunks)',
    limit: '≤ 1 MB (1,000,000 bytes)',
    measured: `${(bytes / MEGABYTE).toFixed(2)} MB (${bytes.toLocaleString('en-US')} bytes; ${(results.bundle.gzipBytes / MEGABYTE).toFixed(2)} MB gzipped)`,
    met: bytes <= MEGABYTE,
  });
  const coldStart = results.coldStart.medianMs;
  checks.push({
    target: 'Lambda bundle: process start → first response byte (median)',
    limit: '≤ 150 ms',
    measured: `${ms(coldStart)} (max ${ms(results.coldStart.maxMs)}, ${results.coldStart.runs.length} runs)`,
    met: Number.isFinite(coldStart) ? coldStart <= 150 : undefined,
  });
  const peaks = results.grid.cells.filter((candidate) => candidate.concurrency === 50).map((candidate) => candidate.targets.switchyard?.peakRssMb ?? Number.NaN);
  const peak = peaks.length === 0 ? undefined : Math.max(...peaks);
  checks.push({
    target: 'Switchyard (local mode) peak RSS at c=50 (the gateway process; its DynamoDB stand-in is reported apart)',
    limit: '≤ 120 MB',
    measured: peak === undefined || !Number.isFinite(peak) ? 'n/a' : `${peak.toFixed(0)} MB`,
    met: peak === undefined || !Number.isFinite(peak) ? undefined : peak <= 120,
  });
  const bundlePeak = results.bundleUnderLoad.cells.find((found) => found.concurrency === 50)?.peakRssMb;
  checks.push({
    target: 'The same, for the Lambda bundle served as one process (no tsx, no local usage files; see below)',
    limit: '≤ 120 MB',
    measured: bundlePeak === undefined ? 'n/a' : `${bundlePeak.toFixed(0)} MB`,
    met: bundlePeak === undefined ? undefined : bundlePeak <= 120,
  });
  return checks;
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
