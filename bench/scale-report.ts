// The "cheap at any size" sections of BENCHMARKS.md, each from the newest
// results file of its part (bench/results/<part>-<date>.json), so a full
// `npm run bench` keeps them and a part's rerun replaces only its own.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LambdaSizesResults, ScalePart } from './scale-results.ts';
import { renderSizes } from './scale-sections.ts';

async function newest(benchDirectory: string, prefix: string): Promise<{ file: string; results: unknown } | undefined> {
  const folder = path.join(benchDirectory, 'results');
  const files = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.startsWith(prefix) && name.endsWith('.json')).sort();
  const file = files.at(-1);
  if (file === undefined) return undefined;
  return { file, results: JSON.parse(await readFile(path.join(folder, file), 'utf8')) as unknown };
}

/** The placeholders of bench/benchmarks-template.md these runs fill. */
export async function scaleSections(benchDirectory: string): Promise<Record<string, string>> {
  const part = async (name: ScalePart) => newest(benchDirectory, `${name}-`);
  const missing = (name: string): string => `Not measured yet: run \`node bench/scale.ts ${name}\`.`;
  const sizes = await part('sizes');
  return {
    lambdaSizes: sizes === undefined ? missing('sizes') : renderSizes(sizes.results as LambdaSizesResults, sizes.file),
  };
}
