import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDayRollups } from '../../lib/store/activity-rollups.ts';
import { listGenerations } from '../../lib/store/generation-listing.ts';
import { createGenerationWriter, getGeneration } from '../../lib/store/generations.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { usageRecord } from '../support/usage-record.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const NOW = 1_750_000_000_000;

const record = (index: number): UsageRecord => usageRecord(`gen-writer-${index}`, { created_at: '2025-06-15T15:06:40.000Z', cost_micros: 32 });

/** The real client, with each BatchWriteItem's completion announced. */
function observedTable(dynamo: TestDynamo, onBatchWritten: (count: number) => void): Table {
  const client = {
    send: async (command: { input: { RequestItems?: Record<string, unknown[]> } }) => {
      const result: unknown = await dynamo.client.send(command as Parameters<DynamoDBClient['send']>[0]);
      onBatchWritten(command.input.RequestItems?.[dynamo.tableName]?.length ?? 0);
      return result;
    },
  };
  return { client: client as unknown as DynamoDBClient, name: dynamo.tableName };
}

describe('generation writer', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('starts writing once a batch is full, so the queue stays short without a flush; a partial batch waits for one', async () => {
    const written: number[] = [];
    let allWritten: () => void = () => undefined;
    const sixtyWritten = new Promise<void>((resolve) => (allWritten = resolve));
    // Two items per record: by id, and in the account's day for the list.
    const table = observedTable(dynamo, (count) => {
      if (count > 0) written.push(count);
      if (written.reduce((sum, size) => sum + size, 0) === 120) allWritten();
    });
    const writer = createGenerationWriter(table, 30, () => undefined);
    const direct = { client: dynamo.client, name: dynamo.tableName };

    for (let index = 0; index < 60; index += 1) writer.add(record(index), NOW);
    await sixtyWritten;

    expect(written.slice(0, 2)).toEqual([24, 24]);
    expect(writer.queued()).toBe(0);
    expect(await getGeneration(direct, 'gen-writer-59', NOW)).toBeDefined();

    for (let index = 60; index < 70; index += 1) writer.add(record(index), NOW);
    expect(writer.queued()).toBe(10);
    expect(await getGeneration(direct, 'gen-writer-69', NOW)).toBeUndefined();

    await writer.flush();

    expect(writer.queued()).toBe(0);
    const last = await getGeneration(direct, 'gen-writer-69', NOW);
    expect(last?.accountId).toBe('acct-1');
    expect(JSON.parse(last?.record ?? '{}')).toMatchObject({ id: 'gen-writer-69', cost_micros: 32 });
  });

  it('holds at most maxQueued records while the store does not answer, dropping the oldest and saying so', async () => {
    const hung = { send: () => new Promise<never>(() => undefined) };
    const logs: Record<string, unknown>[] = [];
    const writer = createGenerationWriter({ client: hung as unknown as DynamoDBClient, name: 'unanswered' }, 30, (entry) => logs.push(entry), { maxQueued: 40 });

    for (let index = 0; index < 500; index += 1) writer.add(record(index), NOW);

    expect(writer.queued()).toBeLessThanOrEqual(40);
    expect(logs.filter((entry) => entry.level === 'error').length).toBeGreaterThanOrEqual(1);
    expect(logs[0]).toMatchObject({ level: 'error', dropped: 1 });
    expect(JSON.stringify(logs)).not.toContain('acct-1');
  });
});

describe('generations by account and time', () => {
  let dynamo: TestDynamo;
  let table: Table;
  const at = (iso: string, id: string, overrides: Partial<UsageRecord> = {}): UsageRecord => usageRecord(id, { created_at: iso, ...overrides });
  beforeAll(async () => {
    dynamo = await startDynamo();
    table = { client: dynamo.client, name: dynamo.tableName };
    const writer = createGenerationWriter(table, 30, () => undefined);
    const records = [
      at('2025-06-14T23:59:59.000Z', 'gen-a-old'),
      at('2025-06-15T08:00:00.000Z', 'gen-b', { model: 'anthropic/claude', provider: 'Anthropic' }),
      at('2025-06-15T09:30:00.000Z', 'gen-c', { status: 503, error_code: 'provider_unavailable', model: null, provider: null, endpoint: null }),
      at('2025-06-15T10:00:00.000Z', 'gen-d'),
      at('2025-06-15T10:00:00.000Z', 'gen-other-account', { account_id: 'acct-2' }),
    ];
    for (const record of records) writer.add(record, NOW);
    await writer.flush();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const ids = (records: string[]): string[] => records.map((text) => (JSON.parse(text) as UsageRecord).id);
  const window = { accountId: 'acct-1', fromMs: Date.parse('2025-06-01T00:00:00Z'), toMs: Date.parse('2025-06-16T00:00:00Z') };

  it('lists an account newest first across days, page by page with a cursor, without repeats', async () => {
    const first = await listGenerations(table, { ...window, limit: 2 }, NOW);
    const second = await listGenerations(table, { ...window, limit: 2, cursor: first.next }, NOW);
    const third = await listGenerations(table, { ...window, limit: 2, cursor: second.next }, NOW);

    expect(ids(first.records)).toEqual(['gen-d', 'gen-c']);
    expect(ids(second.records)).toEqual(['gen-b', 'gen-a-old']);
    expect(third.records).toEqual([]);
    expect(third.next).toBeUndefined();
  });

  it('keeps to the window and to the search text', async () => {
    const morning = await listGenerations(table, { ...window, fromMs: Date.parse('2025-06-15T08:00:00Z'), toMs: Date.parse('2025-06-15T10:00:00Z'), limit: 10 }, NOW);
    const anthropic = await listGenerations(table, { ...window, limit: 10, search: 'ANTHROPIC' }, NOW);
    const failed = await listGenerations(table, { ...window, limit: 10, search: '503' }, NOW);

    expect(ids(morning.records)).toEqual(['gen-c', 'gen-b']);
    expect(ids(anthropic.records)).toEqual(['gen-b']);
    expect(ids(failed.records)).toEqual(['gen-c']);
  });

  it('leaves out records whose TTL has passed', async () => {
    const afterTtl = NOW + 31 * 86_400_000;

    expect((await listGenerations(table, { ...window, limit: 10 }, afterTtl)).records).toEqual([]);
  });

  it('adds each record to its hour rollup: requests, tokens, cost, statuses and latency buckets', async () => {
    const day = await readDayRollups(table, 'acct-1', '2025-06-15', NOW);
    const tenOclock = day.filter((rollup) => rollup.hour === '2025-06-15T10');
    const failed = day.find((rollup) => rollup.hour === '2025-06-15T09');

    expect(day.map((rollup) => rollup.hour).sort()).toEqual(['2025-06-15T08', '2025-06-15T09', '2025-06-15T10']);
    expect(tenOclock).toHaveLength(1);
    expect(tenOclock[0]).toMatchObject({ model: 'openai/gpt-4o-mini', provider: 'OpenAI', endpoint: 'openai/gpt-4o-mini@openai', keyHashPrefix: 'a1b2c3d4' });
    expect(tenOclock[0]?.counters).toMatchObject({ requests: 1, errors: 0, promptTokens: 12, completionTokens: 34, costMicros: 27 });
    expect(failed?.endpoint).toBeNull();
    expect(failed?.model).toBe('openai/gpt-4o-mini');
    expect(failed?.counters.statuses).toEqual(new Map([[503, 1]]));
    expect(failed?.counters.errors).toBe(1);
    // ttfb 180 ms falls in the ≤ 250 ms bucket (index 5), latency 950 ms in ≤ 1 s (index 8).
    expect(tenOclock[0]?.counters.ttfbBuckets[5]).toBe(1);
    expect(tenOclock[0]?.counters.latencyBuckets[8]).toBe(1);
  });

  it('raises an existing rollup rather than replacing it', async () => {
    const writer = createGenerationWriter(table, 30, () => undefined);
    writer.add(at('2025-06-15T10:20:00.000Z', 'gen-e', { cost_micros: 100, status: 429 }), NOW);
    await writer.flush();

    const tenOclock = (await readDayRollups(table, 'acct-1', '2025-06-15', NOW)).find((rollup) => rollup.hour === '2025-06-15T10');

    expect(tenOclock?.counters).toMatchObject({ requests: 2, errors: 1, costMicros: 127 });
    expect(tenOclock?.counters.statuses).toEqual(new Map([[200, 1], [429, 1]]));
    expect(await readDayRollups(table, 'acct-2', '2025-06-15', NOW)).toHaveLength(1);
  });
});
