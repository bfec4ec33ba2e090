// `npm run bench -- --soak`: runs the soak (soak.ts), prints its verdict, and
// renders BENCHMARKS.md again from the latest full run's results, so the
// report's soak section (soak-report.ts) shows this soak.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repositoryRoot } from './child-process.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';
import { DEFAULT_SOAK, runSoak, type SoakOptions } from './soak.ts';

export async function runSoakCommand(argv: readonly string[], benchDirectory: string, log: (line: string) => void): Promise<number> {
  const options = soakOptions(argv);
  const { results, file } = await runSoak(options, benchDirectory, log);
  const { slopes, ledger } = results;
  log(`wrote bench/results/${file}: ${results.total} requests in ${(results.durationSeconds / 60).toFixed(1)} min`);
  log(`  RSS ${slopes.rssMb.perHour.toFixed(2)} MB/h, heap ${slopes.heapUsedMb.perHour.toFixed(2)} MB/h, handles ${slopes.handles.perHour.toFixed(2)}/h after the warm-up`);
  log(`  ledger ${results.ledgerExact ? 'exact' : 'NOT exact'}: spent ${ledger.spentMicros} µ$, records ${ledger.recordedCostMicros} µ$, ${ledger.holds} holds`);
  const latest = await latestFullResults(benchDirectory);
  if (latest !== undefined) {
    const full = JSON.parse(await readFile(path.join(benchDirectory, 'results', latest), 'utf8')) as BenchResults;
    await writeFile(path.join(repositoryRoot, 'BENCHMARKS.md'), await renderReport(full, latest, benchDirectory));
    log(`rendered BENCHMARKS.md again from bench/results/${latest}, with this soak`);
  }
  const unexpected = Object.values(results.requests).reduce((sum, count) => sum + count.unexpected, 0);
  return results.ledgerExact && unexpected === 0 ? 0 : 1;
}

function soakOptions(argv: readonly string[]): SoakOptions {
  const number = (flag: string, fallback: number): number => {
    const index = argv.indexOf(flag);
    if (index < 0) return fallback;
    const value = Number(argv[index + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} takes a positive number`);
    return value;
  };
  const minutes = number('--soak-minutes', DEFAULT_SOAK.minutes);
  return {
    ...DEFAULT_SOAK,
    minutes,
    requests: number('--soak-requests', DEFAULT_SOAK.requests),
    rate: number('--soak-rate', DEFAULT_SOAK.rate),
    // A short trial run keeps a proportionate warm-up.
    warmUpMinutes: Math.min(DEFAULT_SOAK.warmUpMinutes, minutes / 5),
  };
}

/** The newest results file of a full run (`<date>.json`; soak and quick runs are named otherwise). */
export async function latestFullResults(benchDirectory: string): Promise<string | undefined> {
  const files = await readdir(path.join(benchDirectory, 'results')).catch(() => []);
  return files.filter((name) => /^\d{4}-\d{2}-\d{2}T[\d-]+\.json$/.test(name)).sort().at(-1);
}
