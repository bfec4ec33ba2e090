// Runs the saved usage queries with DuckDB over objects laid out exactly as
// Firehose writes them: Parquet with the Glue table's schema (Snappy) under
// the table's prefix, as it writes them now, and gzipped JSON lines read
// through the Glue column list, as the history table holds them. The queries,
// the columns and the record shape have to agree for any row to come out
// right.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeUsageParquet } from '../../cli/usage-parquet.ts';
import { DUCKDB_COMPATIBILITY, renderQuery, TABLE_PLACEHOLDER, USAGE_QUERIES, type UsageQuery } from '../../infra/queries.ts';
import { ATTEMPT_FIELDS, JSON_HISTORY_PREFIX, USAGE_COLUMNS, USAGE_DATA_PREFIX } from '../../infra/usage-layout.ts';
import type { UsageAttempt, UsageRecord } from '../../lib/usage/record.ts';

const DAY_MS = 86_400_000;
const utcDate = (daysAgo: number): string => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
const yesterday = utcDate(1);
const twoDaysAgo = utcDate(2);

function attempt(provider: string, status: number, errorCode: string | null, latencyMs: number): UsageAttempt {
  return { endpoint: `m@${provider}`, provider, model: 'm', status, error_code: errorCode, latency_ms: latencyMs };
}

function record(id: string, overrides: Partial<UsageRecord>): UsageRecord {
  return {
    id,
    created_at: `${yesterday}T10:00:00.000Z`,
    key_hash_prefix: 'keyA',
    account_id: 'acct-1',
    model_requested: 'm1',
    model: 'm1',
    provider: 'P1',
    endpoint: 'm1@P1',
    streamed: true,
    status: 200,
    error_code: null,
    error_message: null,
    finish_reason: 'stop',
    native_finish_reason: 'stop',
    prompt_tokens: 10,
    completion_tokens: 20,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 1000,
    ttfb_ms: 50,
    latency_ms: 100,
    attempts: [attempt('P1', 200, null, 100)],
    fallback: false,
    cancelled: false,
    session_id: null,
    user: null,
    ...overrides,
  };
}

const served = record('gen-1', {});
const fellBack = record('gen-2', {
  provider: 'P2',
  endpoint: 'm1@P2',
  cost_micros: 2000,
  prompt_tokens: 5,
  completion_tokens: 7,
  reasoning_tokens: 3,
  latency_ms: 300,
  ttfb_ms: 80,
  attempts: [attempt('P1', 429, 'rate_limited', 20), attempt('P2', 200, null, 280)],
  fallback: true,
});
const failed = record('gen-3', {
  key_hash_prefix: 'keyB',
  model_requested: 'm3',
  model: null,
  provider: null,
  endpoint: null,
  status: 502,
  error_code: 'upstream_error',
  finish_reason: null,
  native_finish_reason: null,
  prompt_tokens: 0,
  completion_tokens: 0,
  cost_micros: 0,
  ttfb_ms: null,
  attempts: [attempt('P1', 500, 'upstream_error', 40), attempt('P2', 503, 'upstream_error', 45)],
});
const older = record('gen-4', { model: 'm2', model_requested: 'm2', cost_micros: 500, created_at: `${twoDaysAgo}T08:00:00.000Z` });
const outOfRange = record('gen-5', { cost_micros: 99_999, created_at: `${utcDate(40)}T08:00:00.000Z` });

/** Objects as Firehose writes them: `usage/dt=…/hour=…/<name>.gz`, one JSON object per line. */
const objects: Array<{ dt: string; hour: string; records: UsageRecord[] }> = [
  { dt: yesterday, hour: '10', records: [served, fellBack, failed] },
  // At-least-once delivery: the same record again, in a later object.
  { dt: yesterday, hour: '11', records: [fellBack] },
  { dt: twoDaysAgo, hour: '08', records: [older] },
  { dt: utcDate(40), hour: '08', records: [outOfRange] },
];

/** The Glue column types in DuckDB's spelling, so the table reads the files with exactly those columns. */
function duckdbType(hiveType: string): string {
  const scalar: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN' };
  if (hiveType.startsWith('array<struct<')) {
    return `STRUCT(${ATTEMPT_FIELDS.map((field) => `${field.name} ${scalar[field.type] ?? 'unknown'}`).join(', ')})[]`;
  }
  const mapped = scalar[hiveType];
  if (mapped === undefined) throw new Error(`no DuckDB type for ${hiveType}`);
  return mapped;
}

let directory = '';
let connection: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-usage-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  for (const [index, object] of objects.entries()) {
    const partition = path.join(`dt=${object.dt}`, `hour=${object.hour}`);
    const lines = object.records.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    const historyFolder = path.join(directory, JSON_HISTORY_PREFIX, partition);
    mkdirSync(historyFolder, { recursive: true });
    writeFileSync(path.join(historyFolder, `switchyard-usage-${index}.gz`), gzipSync(lines));
    // What the record-format conversion makes of the same JSON.
    const parquetFolder = path.join(directory, USAGE_DATA_PREFIX, partition);
    mkdirSync(parquetFolder, { recursive: true });
    await writeUsageParquet(connection, [path.join(historyFolder, `switchyard-usage-${index}.gz`)], path.join(parquetFolder, `switchyard-usage-${index}.parquet`));
  }
  const columns = USAGE_COLUMNS.map((column) => `'${column.name}': '${duckdbType(column.type)}'`).join(', ');
  const jsonFiles = path.join(directory, JSON_HISTORY_PREFIX, '*', '*', '*.gz');
  await connection.run(
    `CREATE VIEW usage_records_json AS SELECT * FROM read_json('${jsonFiles}', format = 'newline_delimited', columns = {${columns}}, hive_partitioning = true, hive_types_autocast = false)`,
  );
  const parquetFiles = path.join(directory, USAGE_DATA_PREFIX, '*', '*', '*.parquet');
  await connection.run(`CREATE VIEW usage_records AS SELECT * FROM read_parquet('${parquetFiles}', hive_partitioning = true, hive_types_autocast = false)`);
  for (const statement of DUCKDB_COMPATIBILITY) await connection.run(statement);
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(directory, { recursive: true, force: true });
});

let table = 'usage_records';

async function run(name: string): Promise<Array<Record<string, unknown>>> {
  const query = USAGE_QUERIES.find((candidate) => candidate.name === name) as UsageQuery;
  const reader = await connection.runAndReadAll(renderQuery(query, table));
  return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
}

const numbers = (row: Record<string, unknown> | undefined, ...keys: string[]) => Object.fromEntries(keys.map((key) => [key, Number(row?.[key])]));

describe('the Parquet objects', () => {
  it("hold the Glue table's columns with its types, in its order, Snappy-compressed", async () => {
    const file = path.join(directory, USAGE_DATA_PREFIX, `dt=${yesterday}`, 'hour=10', 'switchyard-usage-0.parquet');
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).getRowObjectsJson();
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual(USAGE_COLUMNS.map((column) => [column.name, duckdbType(column.type)]));
    // The physical types Athena's Parquet reader maps onto int, bigint, boolean and string.
    const leaves = (await connection.runAndReadAll(`SELECT name, type, converted_type FROM parquet_schema('${file}')`)).getRowObjectsJson();
    const first = (name: string) => leaves.find((row) => row.name === name);
    expect(first('status')).toMatchObject({ type: 'INT32' });
    expect(first('cost_micros')).toMatchObject({ type: 'INT64' });
    expect(first('streamed')).toMatchObject({ type: 'BOOLEAN' });
    expect(first('id')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(first('attempts')).toMatchObject({ converted_type: 'LIST' });
    const codecs = (await connection.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRowObjectsJson();
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]);
  });
});

describe.each([
  { format: 'Parquet, as Firehose writes it now', view: 'usage_records' },
  { format: 'gzipped JSON, the history table', view: 'usage_records_json' },
])('usage queries over $format', ({ view }) => {
  beforeAll(() => {
    table = view;
  });

  it('are five, uniquely named, each over the table placeholder', () => {
    expect(USAGE_QUERIES).toHaveLength(5);
    expect(new Set(USAGE_QUERIES.map((query) => query.name)).size).toBe(5);
    for (const query of USAGE_QUERIES) {
      expect(query.sql).toContain(TABLE_PLACEHOLDER);
      expect(renderQuery(query, 'usage_records')).not.toContain('{{');
    }
  });

  it('spend per key per day counts each generation once and only the last 30 days', async () => {
    const rows = await run('spend-per-key-per-day');

    expect(rows.map((row) => ({ day: row.day, key: row.key_hash_prefix, ...numbers(row, 'requests', 'cost_micros', 'cost_usd') }))).toEqual([
      { day: yesterday, key: 'keyA', requests: 2, cost_micros: 3000, cost_usd: 0.003 },
      { day: yesterday, key: 'keyB', requests: 1, cost_micros: 0, cost_usd: 0 },
      { day: twoDaysAgo, key: 'keyA', requests: 1, cost_micros: 500, cost_usd: 0.0005 },
    ]);
  });

  it('tokens and cost per model leave out requests nothing served', async () => {
    const rows = await run('tokens-and-cost-per-model');

    expect(rows.map((row) => ({ model: row.model, ...numbers(row, 'requests', 'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cost_micros') }))).toEqual([
      { model: 'm1', requests: 2, prompt_tokens: 15, completion_tokens: 27, reasoning_tokens: 3, cost_micros: 3000 },
      { model: 'm2', requests: 1, prompt_tokens: 10, completion_tokens: 20, reasoning_tokens: 0, cost_micros: 500 },
    ]);
  });

  it('latency per provider gives p50 and p95 of successful requests', async () => {
    const rows = await run('latency-per-provider');

    expect(rows.map((row) => ({ provider: row.provider, ...numbers(row, 'requests', 'latency_p50_ms', 'latency_p95_ms', 'ttfb_p50_ms') }))).toEqual([
      { provider: 'P1', requests: 2, latency_p50_ms: 100, latency_p95_ms: 100, ttfb_p50_ms: 50 },
      { provider: 'P2', requests: 1, latency_p50_ms: 300, latency_p95_ms: 300, ttfb_p50_ms: 80 },
    ]);
  });

  it('fallback rate is the share of requests a later attempt served', async () => {
    const rows = await run('fallback-rate');
    const m1Yesterday = rows.find((row) => row.day === yesterday && row.model_requested === 'm1');

    expect(numbers(m1Yesterday, 'requests', 'fallbacks', 'fallback_rate')).toEqual({ requests: 2, fallbacks: 1, fallback_rate: 0.5 });
    expect(rows).toHaveLength(3);
  });

  it('errors by provider and code count every failed attempt, fallbacks included', async () => {
    const rows = await run('errors-by-provider-and-code');

    expect(
      rows
        .map((row) => ({ provider: row.provider, error_code: row.error_code, status: Number(row.status), failures: Number(row.failures) }))
        .sort((a, b) => `${String(a.provider)}${a.status}`.localeCompare(`${String(b.provider)}${b.status}`)),
    ).toEqual([
      { provider: 'P1', error_code: 'rate_limited', status: 429, failures: 1 },
      { provider: 'P1', error_code: 'upstream_error', status: 500, failures: 1 },
      { provider: 'P2', error_code: 'upstream_error', status: 503, failures: 1 },
    ]);
  });
});
