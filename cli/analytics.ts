// Local analytics (DESIGN decision 12): the saved Athena queries of
// infra/queries.ts, run with DuckDB over local mode's usage as Parquet. The
// sink's logs are first published as Parquet the way Firehose writes it on
// AWS (cli/usage-parquet.ts: the Glue table's schema, Snappy, the bucket's
// layout `usage-parquet/dt=YYYY-MM-DD/hour=HH/`), so the same queries run
// over the same format and read the same columns as on Athena.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DUCKDB_COMPATIBILITY, renderQuery, USAGE_QUERIES, type UsageQuery } from '../infra/queries.ts';
import { PARTITION_KEYS, USAGE_COLUMNS, USAGE_DATA_PREFIX } from '../infra/usage-layout.ts';
import { duckdbType, publishUsageParquet, quoteIdentifier, quoteString } from './usage-parquet.ts';

export { duckdbType };

export type Cell = string | number | boolean | null;

export interface QueryResult {
  query: UsageQuery;
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

const TABLE = 'usage_records';

/** Names of the saved queries, in their order. */
export const queryNames = (): string[] => USAGE_QUERIES.map((query) => query.name);

/**
 * Runs every saved query, or the one named, over the usage under `dataDir`
 * (local mode's data folder), after publishing the hours whose Parquet is
 * behind their log. No usage: every query answers no rows.
 */
export async function runUsageQueries(dataDir: string, name?: string): Promise<QueryResult[]> {
  const queries = name === undefined ? USAGE_QUERIES : USAGE_QUERIES.filter((query) => query.name === name);
  if (queries.length === 0) throw new Error(`No saved query named "${name}"; the queries are: ${queryNames().join(', ')}`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await publishUsageParquet(connection, dataDir);
    await createUsageTable(connection, path.join(dataDir, USAGE_DATA_PREFIX));
    for (const statement of DUCKDB_COMPATIBILITY) await connection.run(statement);
    const results: QueryResult[] = [];
    for (const query of queries) {
      const reader = await connection.runAndReadAll(renderQuery(query, TABLE));
      const columns = reader.columnNames();
      const rows = reader.getRowsJS().map((row) => Object.fromEntries(columns.map((column, index) => [column, toCell(row[index])])));
      results.push({ query, columns, rows });
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function createUsageTable(connection: DuckDBConnection, usageDirectory: string): Promise<void> {
  if (!(await hasUsageObjects(usageDirectory))) {
    // read_parquet fails on a glob that matches nothing; an empty table answers every query.
    const columns = USAGE_COLUMNS.map((column) => `${quoteIdentifier(column.name)} ${duckdbType(column.type)}`);
    const partitions = PARTITION_KEYS.map((key) => `${key.name} VARCHAR`);
    await connection.run(`CREATE TABLE ${TABLE} (${[...columns, ...partitions].join(', ')})`);
    return;
  }
  const files = path.join(usageDirectory, 'dt=*', 'hour=*', '*.parquet');
  // Partition keys come from the path, as strings, as Glue declares them.
  await connection.run(`CREATE VIEW ${TABLE} AS SELECT * FROM read_parquet(${quoteString(files)}, hive_partitioning = true, hive_types_autocast = false)`);
}

async function hasUsageObjects(usageDirectory: string): Promise<boolean> {
  try {
    const entries = await readdir(usageDirectory, { recursive: true });
    return entries.some((entry) => entry.endsWith('.parquet'));
  } catch {
    return false;
  }
}

/** DuckDB's JS values as plain JSON-safe cells: big integers become numbers while exact. */
function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

/** Rows as an aligned text table: numbers right-aligned, everything else left-aligned. */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<Record<string, Cell>>): string {
  const text = (cell: Cell | undefined): string => {
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'number' && !Number.isInteger(cell)) return String(Number(cell.toPrecision(6)));
    return String(cell);
  };
  const cells = rows.map((row) => columns.map((column) => text(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]?.length ?? 0)));
  const numeric = columns.map((column) => rows.length > 0 && rows.every((row) => row[column] === null || typeof row[column] === 'number'));
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) => (numeric[index] === true ? value.padStart(widths[index] ?? 0) : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** Every result as a titled table; `(no rows)` under a query that found nothing. */
export function formatResults(results: readonly QueryResult[]): string {
  return results
    .map(({ query, columns, rows }) => {
      const table = rows.length === 0 ? '(no rows)' : formatTable(columns, rows);
      return `${query.name}: ${query.description}\n\n${table}\n`;
    })
    .join('\n');
}
