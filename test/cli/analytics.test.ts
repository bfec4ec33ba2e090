// The saved usage queries over the files a real local gateway wrote: several
// requests from two keys, a fallback and a failure, then every query run with
// DuckDB through cli/analytics.ts and the `switchyard analytics` command.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable, runUsageQueries, type QueryResult } from '../../cli/analytics.ts';
import { registerAnalytics } from '../../cli/commands/analytics.ts';
import { USAGE_DATA_PREFIX } from '../../infra/usage-layout.ts';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { putKey } from '../../lib/store/keys.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

const endpoint = (provider: string, prices: [string, string]) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: prices[0], completion: prices[1] },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['temperature', 'max_tokens'],
});
const simulated = (name: string, outputTokens: number, failure?: Record<string, unknown>) => ({
  name,
  kind: 'openai',
  simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens, ...(failure === undefined ? {} : { failure }) },
});
const catalog = {
  providers: {
    healthy: simulated('Healthy', 12),
    second: simulated('Second', 7),
    broken: simulated('Broken', 12, { mode: 'status', status: 500 }),
    unavailable: simulated('Unavailable', 12, { mode: 'status', status: 503 }),
  },
  models: [
    { id: 'test/steady', name: 'Steady', created: 1767225600, endpoints: [endpoint('healthy', ['2', '4'])] },
    { id: 'test/other', name: 'Other', created: 1767225600, endpoints: [endpoint('second', ['3', '6'])] },
    { id: 'test/fallback', name: 'Fallback', created: 1767225600, endpoints: [endpoint('broken', ['1', '2']), endpoint('healthy', ['1', '2'])] },
    { id: 'test/down', name: 'Down', created: 1767225600, endpoints: [endpoint('broken', ['1', '1']), endpoint('unavailable', ['1', '1'])] },
  ],
};

interface Served {
  key: string;
  model: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

let dataDir: string;
let gateway: LocalGateway;
let secondKey: string;
const served: Served[] = [];
let records: UsageRecord[];
let results: Map<string, QueryResult>;

async function complete(key: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me something' }], ...body }),
  });
  const reply = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number; cost: number } };
  served.push({
    key,
    model: String(body.model),
    status: response.status,
    promptTokens: reply.usage?.prompt_tokens ?? 0,
    completionTokens: reply.usage?.completion_tokens ?? 0,
    costMicros: Math.round((reply.usage?.cost ?? 0) * 1_000_000),
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-analytics-'));
  gateway = await startTestGateway({
    dataDir,
    catalogDocument: catalog,
    settings: { attempts: { ...defaultSettings.attempts, backoffBaseMs: 1, backoffMaxMs: 5 } },
  });
  secondKey = generateApiKey();
  const now = new Date().toISOString();
  await putKey(gateway.table, {
    hash: await hashApiKey(secondKey),
    kind: 'inference',
    accountId: gateway.keys.accountId,
    name: 'second',
    label: keyLabel(secondKey),
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    requestsPerMinute: null,
  });
  const first = gateway.keys.apiKey;
  // The fallback first, while `broken` has no failure on record to be skipped for.
  await complete(first, { model: 'test/fallback', provider: { order: ['broken', 'healthy'] } });
  await complete(first, { model: 'test/steady' });
  await complete(first, { model: 'test/steady', max_tokens: 5 });
  await complete(secondKey, { model: 'test/steady' });
  await complete(secondKey, { model: 'test/other' });
  await complete(secondKey, { model: 'test/down', provider: { order: ['broken', 'unavailable'] } });
  records = await usageRecords(gateway);
  results = new Map((await runUsageQueries(dataDir)).map((result) => [result.query.name, result]));
});

afterAll(async () => {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const rowsOf = (name: string): Array<Record<string, unknown>> => results.get(name)?.rows ?? [];
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const keyPrefix = async (key: string): Promise<string> => (await hashApiKey(key)).slice(0, 16);

describe('local analytics over the local gateway\'s usage files', () => {
  it('wrote one record per request, the fallback and the failure included', () => {
    expect(records).toHaveLength(6);
    // The last attempt's failure is the answer: Unavailable's 503.
    expect(served.map((entry) => entry.status)).toEqual([200, 200, 200, 200, 200, 503]);
    expect(records.filter((record) => record.fallback).map((record) => record.model_requested)).toEqual(['test/fallback']);
  });

  it('spend per key per day is the sum of the costs each key was told', async () => {
    const day = records[0]?.created_at.slice(0, 10);
    const expected = await Promise.all(
      [gateway.keys.apiKey, secondKey].map(async (key) => {
        const mine = served.filter((entry) => entry.key === key);
        return { day, account_id: gateway.keys.accountId, key_hash_prefix: await keyPrefix(key), requests: mine.length, cost_micros: sum(mine.map((entry) => entry.costMicros)) };
      }),
    );
    const byKey = (a: { key_hash_prefix: unknown }, b: { key_hash_prefix: unknown }) => String(a.key_hash_prefix).localeCompare(String(b.key_hash_prefix));

    const rows = rowsOf('spend-per-key-per-day');

    expect(rows.map(({ day: rowDay, account_id, key_hash_prefix, requests, cost_micros }) => ({ day: rowDay, account_id, key_hash_prefix, requests, cost_micros })).sort(byKey)).toEqual(expected.sort(byKey));
    expect(rows.map((row) => Number(row.cost_micros))).toEqual(rows.map((row) => Number(row.cost_micros)).sort((a, b) => b - a));
    for (const row of rows) expect(row.cost_usd).toBeCloseTo(Number(row.cost_micros) / 1_000_000, 12);
    expect(sum(rows.map((row) => Number(row.cost_micros)))).toBeGreaterThan(0);
  });

  it('tokens and cost per model add up what each model served, and leave out the failure', () => {
    const models = ['test/steady', 'test/other', 'test/fallback'];
    const expected = models
      .map((model) => {
        const mine = served.filter((entry) => entry.model === model);
        return {
          model,
          requests: mine.length,
          prompt_tokens: sum(mine.map((entry) => entry.promptTokens)),
          completion_tokens: sum(mine.map((entry) => entry.completionTokens)),
          cost_micros: sum(mine.map((entry) => entry.costMicros)),
        };
      })
      .sort((a, b) => a.model.localeCompare(b.model));

    const rows = rowsOf('tokens-and-cost-per-model');

    expect(rows.map(({ model, requests, prompt_tokens, completion_tokens, cost_micros }) => ({ model: String(model), requests, prompt_tokens, completion_tokens, cost_micros })).sort((a, b) => a.model.localeCompare(b.model))).toEqual(expected);
    expect(rows.map((row) => Number(row.cost_micros))).toEqual(rows.map((row) => Number(row.cost_micros)).sort((a, b) => b - a));
    expect(rows.find((row) => row.model === 'test/steady')?.completion_tokens).toBe(12 + 5 + 12);
  });

  it('latency per provider covers the successful requests of each serving provider', () => {
    const rows = rowsOf('latency-per-provider');

    expect(rows.map((row) => ({ provider: row.provider, requests: row.requests }))).toEqual([
      { provider: 'Healthy', requests: 4 },
      { provider: 'Second', requests: 1 },
    ]);
    for (const row of rows) expect(Number(row.latency_p50_ms)).toBeLessThanOrEqual(Number(row.latency_p95_ms));
  });

  it('fallback rate counts the request a later attempt served', () => {
    const rows = rowsOf('fallback-rate');

    expect(
      rows.map(({ model_requested, requests, fallbacks, fallback_rate }) => ({ model_requested, requests, fallbacks, fallback_rate })).sort((a, b) => String(a.model_requested).localeCompare(String(b.model_requested))),
    ).toEqual([
      { model_requested: 'test/down', requests: 1, fallbacks: 0, fallback_rate: 0 },
      { model_requested: 'test/fallback', requests: 1, fallbacks: 1, fallback_rate: 1 },
      { model_requested: 'test/other', requests: 1, fallbacks: 0, fallback_rate: 0 },
      { model_requested: 'test/steady', requests: 3, fallbacks: 0, fallback_rate: 0 },
    ]);
  });

  it('errors by provider and code count every failed attempt, the fallback\'s too', () => {
    const rows = rowsOf('errors-by-provider-and-code');

    expect(rows).toEqual([
      { provider: 'Broken', error_code: 'provider_unavailable', status: 500, failures: 2 },
      { provider: 'Unavailable', error_code: 'provider_overloaded', status: 503, failures: 1 },
    ]);
  });
});

describe('the Parquet the queries read', () => {
  const parquetObjects = (): string[] =>
    readdirSync(path.join(dataDir, USAGE_DATA_PREFIX), { recursive: true })
      .map(String)
      .filter((entry) => entry.endsWith('.parquet'));

  it("is each hour's log as Firehose would write it: one object per hour, in the bucket's layout, every record in it", async () => {
    const day = records[0]?.created_at.slice(0, 10) ?? '';
    const hours = [...new Set(records.map((record) => record.created_at.slice(11, 13)))];
    expect(parquetObjects().sort()).toEqual(hours.map((hour) => path.join(`dt=${day}`, `hour=${hour}`, 'usage.parquet')).sort());
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const glob = path.join(dataDir, USAGE_DATA_PREFIX, '*', '*', '*.parquet');
      const ids = (await connection.runAndReadAll(`SELECT id FROM read_parquet('${glob}') ORDER BY id`)).getRowObjectsJson().map((row) => row.id);
      expect(ids).toEqual(records.map((record) => record.id).sort());
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('catches up with records logged since, and leaves up-to-date hours alone', async () => {
    const before = new Map(parquetObjects().map((entry) => [entry, statSync(path.join(dataDir, USAGE_DATA_PREFIX, entry)).mtimeMs]));
    await complete(gateway.keys.apiKey, { model: 'test/other' });
    const latest = (await usageRecords(gateway)).at(-1) as UsageRecord;

    const again = await runUsageQueries(dataDir, 'tokens-and-cost-per-model');

    const other = again[0]?.rows.find((row) => row.model === latest.model);
    expect(Number(other?.requests)).toBe(records.filter((record) => record.model === latest.model).length + 1);
    const hourOfLatest = path.join(`dt=${latest.created_at.slice(0, 10)}`, `hour=${latest.created_at.slice(11, 13)}`, 'usage.parquet');
    for (const [entry, mtime] of before) {
      if (entry !== hourOfLatest) expect(statSync(path.join(dataDir, USAGE_DATA_PREFIX, entry)).mtimeMs).toBe(mtime);
    }
    // Put back what the other tests read.
    results = new Map((await runUsageQueries(dataDir)).map((result) => [result.query.name, result]));
    records = await usageRecords(gateway);
  });
});

describe('switchyard analytics', () => {
  async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
    let out = '';
    let err = '';
    let exitCode: number | undefined;
    const program = new Command('switchyard').exitOverride().configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
    registerAnalytics(program, { write: (text) => (out += text) });
    try {
      await program.parseAsync(['analytics', ...args], { from: 'user' });
    } catch (error) {
      exitCode = (error as { exitCode?: number }).exitCode;
    }
    return { out, err, exitCode };
  }

  it('prints one query as an aligned table', async () => {
    const { out } = await run('errors-by-provider-and-code', '--data-dir', dataDir);

    expect(out).toBe(
      [
        'errors-by-provider-and-code: Failed upstream attempts per provider, error code and status, last 30 days (fallbacks included).',
        '',
        'provider     error_code            status  failures',
        '-----------  --------------------  ------  --------',
        'Broken       provider_unavailable     500         2',
        'Unavailable  provider_overloaded      503         1',
        '',
      ].join('\n'),
    );
  });

  it('prints every query, titled, when none is named', async () => {
    const { out } = await run('--data-dir', dataDir);

    const titles = out.split('\n').filter((line) => /^[a-z-]+: /.test(line)).map((line) => line.split(':')[0]);
    expect(titles).toEqual(['spend-per-key-per-day', 'tokens-and-cost-per-model', 'latency-per-provider', 'fallback-rate', 'errors-by-provider-and-code']);
  });

  it('prints rows as JSON with --json', async () => {
    const { out } = await run('fallback-rate', '--data-dir', dataDir, '--json');

    const document = JSON.parse(out) as Record<string, Array<Record<string, unknown>>>;
    expect(Object.keys(document)).toEqual(['fallback-rate']);
    // Rows tied on the query's ORDER BY come in any order.
    const byModel = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => String(a.model_requested).localeCompare(String(b.model_requested)));
    expect(byModel(document['fallback-rate'] ?? [])).toEqual(byModel(rowsOf('fallback-rate')));
    expect(document['fallback-rate']).toHaveLength(4);
  });

  it('takes --json from the admin CLI\'s global option too', async () => {
    let out = '';
    const program = new Command('switchyard').option('--json', 'print JSON instead of tables').exitOverride();
    registerAnalytics(program, { write: (text) => (out += text) });

    await program.parseAsync(['analytics', 'fallback-rate', '--data-dir', dataDir, '--json'], { from: 'user' });

    expect(Object.keys(JSON.parse(out) as object)).toEqual(['fallback-rate']);
  });

  it('answers no rows, not an error, for a data folder without usage files', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'switchyard-analytics-empty-'));
    try {
      const { out } = await run('spend-per-key-per-day', '--data-dir', empty);

      expect(out).toContain('(no rows)');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses an unknown query, naming the saved ones', async () => {
    const { err, exitCode } = await run('cost-per-moon', '--data-dir', dataDir);

    expect(exitCode).toBe(1);
    expect(err).toMatch(/unknown query "cost-per-moon".*spend-per-key-per-day/);
  });
});

describe('formatTable', () => {
  it('right-aligns numeric columns, left-aligns the rest, and shows nulls as blanks', () => {
    const table = formatTable(['name', 'n', 'rate'], [
      { name: 'a', n: 1, rate: 0.5 },
      { name: 'longer', n: 100, rate: null },
    ]);

    expect(table).toBe(['name      n  rate', '------  ---  ----', 'a         1   0.5', 'longer  100'].join('\n'));
  });
});
