// Usage records as Parquet, the way Firehose's record-format conversion
// writes them on AWS (DESIGN decision 12): the Glue table's columns with its
// types, in its order, partition keys in the path and not in the file,
// Snappy-compressed column chunks. Local mode's file sink keeps JSON lines as
// its durable log (cli/file-usage-sink.ts); `publishUsageParquet` turns each
// hour's log into that hour's Parquet object under the same layout as the
// bucket (`usage-parquet/dt=…/hour=…/`), and the saved queries read only the
// Parquet (cli/analytics.ts), as Athena does.
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARQUET_COMPRESSION, USAGE_COLUMNS, USAGE_DATA_PREFIX } from '../infra/usage-layout.ts';

/** Where local mode's file sink logs records: `<data>/usage/dt=…/hour=…/usage.jsonl`. */
export const LOCAL_USAGE_LOG_PREFIX = 'usage/';
/** The Parquet object of an hour, rebuilt from the hour's log. */
export const HOUR_OBJECT = 'usage.parquet';

const SCALAR_TYPES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
  double: 'DOUBLE',
};

/** A Glue (Hive) column type in DuckDB's spelling: `array<struct<a:int>>` → `STRUCT(a INTEGER)[]`. */
export function duckdbType(hiveType: string): string {
  const type = hiveType.trim();
  const array = /^array<(.*)>$/s.exec(type);
  if (array?.[1] !== undefined) return `${duckdbType(array[1])}[]`;
  const struct = /^struct<(.*)>$/s.exec(type);
  if (struct?.[1] !== undefined) {
    const fields = splitTopLevel(struct[1]).map((field) => {
      const colon = field.indexOf(':');
      if (colon < 0) throw new Error(`Malformed struct field "${field}" in ${hiveType}`);
      return `${quoteIdentifier(field.slice(0, colon).trim())} ${duckdbType(field.slice(colon + 1))}`;
    });
    return `STRUCT(${fields.join(', ')})`;
  }
  const scalar = SCALAR_TYPES[type];
  if (scalar === undefined) throw new Error(`No DuckDB type for the Glue type ${hiveType}`);
  return scalar;
}

/** Splits on commas outside angle brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '<') depth++;
    else if (character === '>') depth--;
    else if (character === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** `read_json`'s `columns` argument: the Glue table's columns, so JSON is read with exactly their types. */
export function usageJsonColumns(): string {
  return `{${USAGE_COLUMNS.map((column) => `${quoteString(column.name)}: ${quoteString(duckdbType(column.type))}`).join(', ')}}`;
}

/**
 * Write JSON-lines files of usage records (plain or gzipped) as one Parquet
 * file with the Glue table's schema, Snappy. `rowGroupRows` bounds the row
 * groups (DuckDB's default when absent).
 */
export async function writeUsageParquet(connection: DuckDBConnection, jsonFiles: readonly string[], target: string, rowGroupRows?: number): Promise<void> {
  const select = USAGE_COLUMNS.map((column) => quoteIdentifier(column.name)).join(', ');
  const files = `[${jsonFiles.map(quoteString).join(', ')}]`;
  const options = [`FORMAT parquet`, `COMPRESSION ${PARQUET_COMPRESSION.toLowerCase()}`, ...(rowGroupRows === undefined ? [] : [`ROW_GROUP_SIZE ${rowGroupRows}`])];
  await connection.run(
    `COPY (SELECT ${select} FROM read_json(${files}, format = 'newline_delimited', columns = ${usageJsonColumns()})) TO ${quoteString(target)} (${options.join(', ')})`,
  );
}

export interface PublishSummary {
  /** Hours whose Parquet object was (re)written from their log. */
  published: number;
  /** Hours already up to date. */
  current: number;
}

/**
 * Bring `<data>/usage-parquet/` up to date with the sink's logs: every hour
 * whose log is newer than its Parquet object (or has none) gets the object
 * rebuilt from the whole log, written beside it and renamed into place, so a
 * reader never sees half a file and a rerun after a crash just builds it
 * again. Data folders from before Parquet need nothing else: their logs are
 * published on the first run.
 */
export async function publishUsageParquet(connection: DuckDBConnection, dataDir: string): Promise<PublishSummary> {
  const logRoot = path.join(dataDir, LOCAL_USAGE_LOG_PREFIX);
  const summary: PublishSummary = { published: 0, current: 0 };
  for (const partition of await logPartitions(logRoot)) {
    const log = path.join(logRoot, partition, 'usage.jsonl');
    const target = path.join(dataDir, USAGE_DATA_PREFIX, partition, HOUR_OBJECT);
    const [logStat, objectStat] = await Promise.all([stat(log), stat(target).catch(() => undefined)]);
    if (logStat.size === 0) continue;
    if (objectStat !== undefined && objectStat.mtimeMs >= logStat.mtimeMs) {
      summary.current += 1;
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      await writeUsageParquet(connection, [log], partial);
      // Stamped with the log's time as it was before reading it: a record
      // appended meanwhile leaves the log newer, and the next run rebuilds.
      await utimes(partial, logStat.atime, logStat.mtime);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
    summary.published += 1;
  }
  return summary;
}

/** `dt=…/hour=…` of every hour with a log. */
async function logPartitions(logRoot: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(logRoot, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => path.basename(entry) === 'usage.jsonl')
    .map((entry) => path.dirname(entry).split(path.sep).join('/'))
    .filter((partition) => /^dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}$/.test(partition))
    .sort();
}
