// Local analytics (DESIGN decision 12): the saved Athena queries of
// infra/queries.ts, run with DuckDB over local mode's usage files. The files
// have Firehose's layout (`usage/dt=YYYY-MM-DD/hour=HH/*.jsonl`) and are read
// with the Glue table's column types, so a query that works here reads the
// same columns on Athena.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DUCKDB_COMPATIBILITY, renderQuery, USAGE_QUERIES, type UsageQuery } from '../infra/queries.ts';
import { PARTITION_KEYS, USAGE_COLUMNS, USAGE_DATA_PREFIX } from '../infra/usage-layout.ts';

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
 * Runs every saved query, or the one named, over the usage files under
 * `dataDir` (local mode's data folder). No files: every query answers no rows.
 */
export async function runUsageQueries(dataDir: string, name?: string): Promise<QueryResult[]> {
  const queries = name === undefined ? USAGE_QUERIES : USAGE_QUERIES.filter((query) => query.name === name);
  if (queries.length === 0) throw new Error(`No saved query named "${name}"; the queries are: ${queryNames().join(', ')}`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
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
  const columns = USAGE_COLUMNS.map((column) => `${quoteIdentifier(column.name)} ${duckdbType(column.type)}`);
  if (!(await hasUsageFiles(usageDirectory))) {
    // read_json fails on a glob that matches nothing; an empty table answers every query.
    const partitions = PARTITION_KEYS.map((key) => `${key.name} VARCHAR`);
    await connection.run(`CREATE TABLE ${TABLE} (${[...columns, ...partitions].join(', ')})`);
    return;
  }
  const files = path.join(usageDirectory, 'dt=*', 'hour=*', '*.jsonl');
  const columnMap = USAGE_COLUMNS.map((column) => `${quoteString(column.name)}: ${quoteString(duckdbType(column.type))}`).join(', ');
  await connection.run(
    `CREATE VIEW ${TABLE} AS SELECT * FROM read_json(${quoteString(files)}, format = 'newline_delimited', columns = {${columnMap}}, hive_partitioning = true, hive_types_autocast = false)`,
  );
}

async function hasUsageFiles(usageDirectory: string): Promise<boolean> {
  try {
    const entries = await readdir(usageDirectory, { recursive: true });
    return entries.some((entry) => entry.endsWith('.jsonl'));
  } catch {
    return false;
  }
}

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

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

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
