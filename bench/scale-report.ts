// The "cheap at any size" sections of BENCHMARKS.md, each from the newest
// results file of its part (bench/results/<part>-<date>.json), so a full
// `npm run bench` keeps them and a part's rerun replaces only its own.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BillResults, FleetResults, HotAccountResults, LambdaSizesResults, ScalePart } from './scale-results.ts';
import { renderBill, renderFleet, renderHotAccount, renderSizes } from './scale-sections.ts';

async function newest(benchDirectory: string, prefix: string): Promise<{ file: string; results: unknown } | undefined> {
  const folder = path.join(benchDirectory, 'results');
  const files = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.startsWith(prefix) && name.endsWith('.json')).sort();
  const file = files.at(-1);
  if (file === undefined) return undefined;
  return { file, results: JSON.parse(await readFile(path.join(folder, file), 'utf8')) as unknown };
}

/** Every labelled fleet run (kept for comparison, e.g. before a fix) and the newest, oldest first. */
async function fleetRuns(benchDirectory: string): Promise<{ results: FleetResults; file: string }[]> {
  const folder = path.join(benchDirectory, 'results');
  const files = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.startsWith('fleet-') && name.endsWith('.json')).sort();
  const runs = await Promise.all(files.map(async (file) => ({ file, results: JSON.parse(await readFile(path.join(folder, file), 'utf8')) as FleetResults })));
  return runs.filter((run, index) => run.results.label !== undefined || index === runs.length - 1);
}

/** The placeholders of bench/benchmarks-template.md these runs fill. */
export async function scaleSections(benchDirectory: string): Promise<Record<string, string>> {
  const part = async (name: ScalePart) => newest(benchDirectory, `${name}-`);
  const missing = (name: string): string => `Not measured yet: run \`node bench/scale.ts ${name}\`.`;
  const sizes = await part('sizes');
  const bill = await part('bill');
  const hot = await part('hot-account');
  return {
    lambdaSizes: sizes === undefined ? missing('sizes') : renderSizes(sizes.results as LambdaSizesResults, sizes.file),
    bill: bill === undefined ? missing('bill') : renderBill(bill.results as BillResults, bill.file),
    fleet: renderFleet(await fleetRuns(benchDirectory)),
    hotAccount: hot === undefined ? missing('hot-account') : renderHotAccount(hot.results as HotAccountResults, hot.file),
  };
}
