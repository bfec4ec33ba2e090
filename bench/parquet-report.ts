// The "Athena bytes scanned" section of BENCHMARKS.md, from the results file
// bench/parquet-scan.ts writes. Self-contained: the full run's report only
// asks it for its markdown; no results file yet, and the section says how to
// make one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const PARQUET_RESULTS_FILE = 'parquet-scan.json';

export interface ParquetScanResults {
  date: string;
  commit: string;
  records: number;
  seconds: number;
  duckdb: string;
  /** Codecs of the column chunks: SNAPPY only. */
  codecs: string[];
  json: { bytesPerMillion: number; gzipBytesPerMillion: number; objects: number };
  parquet: { bytesPerMillion: number; objects: number; rowGroups: number };
  /** Compressed bytes of each leaf column's chunks per million records (`attempts.provider` for a struct field). */
  columnBytesPerMillion: Record<string, number>;
  queries: Array<{ name: string; columns: string[]; parquetBytesPerMillion: number }>;
}

/**
 * The columns of the Parquet file a saved query reads: the columns it names
 * (and, of `attempts`, the struct fields it names), partition keys aside. A
 * query's `SELECT *` in its dedupe CTE reads no more than that: Trino (Athena
 * engine 3) prunes columns the outer query never uses, nested fields of a
 * Parquet struct included.
 */
export function queryColumns(sql: string, columns: readonly string[], attemptFields: readonly string[]): string[] {
  let text = sql.replace(/'[^']*'/g, ' ').replace(/\bAS\s+\w+/gi, ' ');
  const nested = new Set<string>();
  text = text.replace(/\battempt\.(\w+)/g, (_match, field: string) => {
    if (attemptFields.includes(field)) nested.add(`attempts.${field}`);
    return ' ';
  });
  const named = columns.filter((column) => column !== 'attempts' && new RegExp(`\\b${column}\\b`).test(text));
  if (nested.size === 0 && /\battempts\b/.test(text)) for (const field of attemptFields) nested.add(`attempts.${field}`);
  return [...named, ...[...nested].sort()];
}

const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;
const gigabytes = (bytes: number): string => `${(bytes / 1_000_000_000).toFixed(1)} GB`;
/** At Athena's $5 per TB scanned. */
const dollars = (bytes: number): string => ((bytes / 1e12) * 5).toFixed(3);
const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export async function parquetScanSection(benchDirectory: string): Promise<string> {
  let results: ParquetScanResults;
  try {
    results = JSON.parse(await readFile(path.join(benchDirectory, 'results', PARQUET_RESULTS_FILE), 'utf8')) as ParquetScanResults;
  } catch {
    return 'Not measured yet: run `node bench/parquet-scan.ts`, then render this report again.';
  }
  const gzip = results.json.gzipBytesPerMillion;
  const worst = Math.max(...results.queries.map((query) => query.parquetBytesPerMillion));
  const rows = results.queries.map((query) => [
    `\`${query.name}\``,
    query.columns.map((column) => `\`${column}\``).join(', '),
    megabytes(query.parquetBytesPerMillion),
    megabytes(gzip),
    `${((100 * query.parquetBytesPerMillion) / gzip).toFixed(1)} %`,
  ]);
  const widest = Object.entries(results.columnBytesPerMillion)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([column, bytes]) => `\`${column}\` ${megabytes(bytes)}`)
    .join(', ');
  return `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${results.commit}\` by \`npm run bench -- --parquet\` (${results.seconds} s, DuckDB ${results.duckdb}); raw numbers: [\`bench/results/${PARQUET_RESULTS_FILE}\`](bench/results/${PARQUET_RESULTS_FILE}).

${results.records.toLocaleString('en')} generated usage records (ten models over seven providers, 40 keys of three accounts, 5 % with a failed attempt first, 1.5 % failing outright, sessions and users on some), written as Firehose writes them: before, gzipped JSON lines in objects of 5 MiB of JSON (${results.json.objects} objects); now, Parquet with the Glue table's schema, ${results.codecs.join('/').toLowerCase()}-compressed, one object per 64 MiB of JSON input, its conversion buffer (${results.parquet.objects} objects, ${results.parquet.rowGroups} row groups). Per million records that is ${megabytes(results.json.bytesPerMillion)} of JSON, ${megabytes(gzip)} gzipped, ${megabytes(results.parquet.bytesPerMillion)} as Parquet.

Athena bills the bytes it reads from S3. Over gzipped JSON every query reads every byte of every object in its partitions; over Parquet it reads the column chunks of the columns the query names (and each object's footer, a few KB). Bytes each saved query scans per million records, from the compressed size of every column chunk (DuckDB's \`parquet_metadata\`):

${table(['Saved query', 'Columns it reads', 'Parquet', 'gzipped JSON (before)', 'Parquet ÷ JSON'], rows)}

Every saved query keeps one row per generation \`id\` (Firehose delivers at least once), so every one reads the \`id\` column, ${megabytes(results.columnBytesPerMillion.id ?? 0)} of its bytes: random ids compress least. The largest columns per million records: ${widest}. At Athena's $5 per TB scanned, a saved query over a month of 100 million records scans ${gigabytes(gzip * 100)} ($${dollars(gzip * 100)}) over gzipped JSON and at most ${gigabytes(worst * 100)} ($${dollars(worst * 100)}) over Parquet; Athena bills at least 10 MB a query.`;
}
