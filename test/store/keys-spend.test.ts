// A key's spend on its own item, against dynalite through the real SDK:
// reservations against a limit are exact under concurrency, settlement is
// idempotent, counters per period add up, old periods are dropped.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodsAt } from '../../lib/billing/periods.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { deleteKey, getStoredKey, putKey, reclaimExpiredKeyHolds, updateKey, type KeyRecord } from '../../lib/store/keys.ts';
import { counterName, reserveKeySpend, settleKeySpend, spentIn, type KeyHoldRef } from '../../lib/store/key-spend.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

let dynamo: TestDynamo;
let table: Table;
let counter = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
});
afterAll(async () => {
  await dynamo.close();
});

const NOW = Date.parse('2026-08-22T10:00:00Z'); // a Saturday

async function newKey(fields: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const hash = (counter++).toString(16).padStart(64, '0');
  const record: KeyRecord = {
    hash,
    kind: 'inference',
    accountId: 'acct',
    name: `key ${hash.slice(-4)}`,
    label: 'sk-sy-v1-000...0000',
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
    requestsPerMinute: null,
    ...fields,
  };
  await putKey(table, record);
  return record;
}

const refOf = (record: KeyRecord, at = NOW): KeyHoldRef => ({ hash: record.hash, ...periodsAt(at) });
const hold = (id: string, amountMicros: number) => ({ id, amountMicros, expiresAt: NOW + 60_000 });

describe('key spend', () => {
  it('admits exactly as many concurrent holds as the limit covers', async () => {
    const key = await newKey({ limitMicros: 7_000, limitReset: 'daily' });
    const ref = refOf(key);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => reserveKeySpend(table, ref, hold(`gen-${index}`, 1_000), { period: 'day', ceilingMicros: 7_000 - 1_000 })),
    );
    expect(results.filter(Boolean)).toHaveLength(7);
    const stored = await getStoredKey(table, key.hash);
    expect(stored?.spend.holds).toHaveLength(7);
    expect(spentIn(stored!.spend, 'day', ref)).toEqual({ usedMicros: 7_000, heldMicros: 7_000, spentMicros: 0 });
  });

  it('settles each hold once, whatever the retries, and counts the charge in every period', async () => {
    const key = await newKey();
    const ref = refOf(key);
    expect(await reserveKeySpend(table, ref, hold('gen-a', 500), undefined)).toBe(true);
    const outcomes = await Promise.all([
      settleKeySpend(table, ref, 'gen-a', 500, 120),
      settleKeySpend(table, ref, 'gen-a', 500, 300),
      settleKeySpend(table, ref, 'gen-a', 500, 120),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const stored = (await getStoredKey(table, key.hash))!;
    const spent = spentIn(stored.spend, 'total', ref).spentMicros;
    expect([120, 300]).toContain(spent);
    for (const period of ['day', 'week', 'month'] as const) expect(spentIn(stored.spend, period, ref).spentMicros).toBe(spent);
    expect(stored.spend.holds).toEqual([]);
  });

  it('never charges more than the hold', async () => {
    const key = await newKey();
    const ref = refOf(key);
    await reserveKeySpend(table, ref, hold('gen-b', 100), undefined);
    await settleKeySpend(table, ref, 'gen-b', 100, 1_000_000);
    expect(spentIn((await getStoredKey(table, key.hash))!.spend, 'total', ref).spentMicros).toBe(100);
  });

  it('refuses a hold that alone exceeds the limit without writing', async () => {
    const key = await newKey({ limitMicros: 50 });
    expect(await reserveKeySpend(table, refOf(key), hold('gen-c', 60), { period: 'total', ceilingMicros: -10 })).toBe(false);
    expect((await getStoredKey(table, key.hash))?.spend.counters.size).toBe(0);
  });

  it('holds nothing on a deleted key', async () => {
    const key = await newKey();
    await deleteKey(table, key.hash);
    expect(await reserveKeySpend(table, refOf(key), hold('gen-d', 10), undefined)).toBe(false);
    expect(await getStoredKey(table, key.hash)).toBeUndefined();
  });

  it('counts a new day, week and month from zero', async () => {
    const key = await newKey();
    const saturday = refOf(key);
    const monday = refOf(key, Date.parse('2026-08-24T00:00:00Z'));
    const september = refOf(key, Date.parse('2026-09-01T00:00:00Z'));
    for (const [index, ref] of [saturday, monday, september].entries()) {
      await reserveKeySpend(table, ref, hold(`gen-p${index}`, 100), undefined);
      await settleKeySpend(table, ref, `gen-p${index}`, 100, 10 * (index + 1));
    }
    const spend = (await getStoredKey(table, key.hash))!.spend;
    expect(spentIn(spend, 'total', september).spentMicros).toBe(60);
    expect(spentIn(spend, 'day', monday).spentMicros).toBe(20);
    expect(spentIn(spend, 'week', monday).spentMicros).toBe(20);
    expect(spentIn(spend, 'week', september).spentMicros).toBe(30); // Mon 31 Aug – Sun 6 Sep: a new week
    expect(spentIn(spend, 'month', saturday).spentMicros).toBe(30);
    expect(spentIn(spend, 'month', september).spentMicros).toBe(30);
  });

  it('drops counters of long-past periods when it settles', async () => {
    const key = await newKey();
    const old = periodsAt(NOW - 3 * 86_400_000);
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: {
          pk: { S: `KEY#${key.hash}` },
          sk: { S: 'KEY' },
          type: { S: 'key' },
          hash: { S: key.hash },
          accountId: { S: key.accountId },
          kind: { S: 'inference' },
          createdAt: { S: key.createdAt },
          [counterName('day', old)]: { N: '999' },
        },
      }),
    );
    const ref = refOf(key);
    await reserveKeySpend(table, ref, hold('gen-e', 10), undefined);
    await settleKeySpend(table, ref, 'gen-e', 10, 10);
    const spend = (await getStoredKey(table, key.hash))!.spend;
    expect(spend.counters.has(counterName('day', old))).toBe(false);
    expect(spentIn(spend, 'day', ref).spentMicros).toBe(10);
  });

  it('keeps spend when the key is changed', async () => {
    const key = await newKey();
    const ref = refOf(key);
    await reserveKeySpend(table, ref, hold('gen-f', 40), undefined);
    await settleKeySpend(table, ref, 'gen-f', 40, 40);
    const updated = await updateKey(table, key.hash, { limitMicros: 1_000, limitReset: 'weekly', includeByokInLimit: true }, new Date(NOW).toISOString());
    expect(updated).toMatchObject({ limitMicros: 1_000, limitReset: 'weekly', includeByokInLimit: true, name: key.name });
    expect(spentIn((await getStoredKey(table, key.hash))!.spend, 'week', ref).spentMicros).toBe(40);
  });

  it('reclaims expired key holds and leaves live ones', async () => {
    const key = await newKey({ accountId: 'reclaim-account' });
    const ref = refOf(key);
    await reserveKeySpend(table, ref, { id: 'gen-old', amountMicros: 70, expiresAt: NOW - 1 }, undefined);
    await reserveKeySpend(table, ref, { id: 'gen-live', amountMicros: 30, expiresAt: NOW + 60_000 }, undefined);
    expect(await reclaimExpiredKeyHolds(table, 'reclaim-account', NOW)).toBe(1);
    const spend = (await getStoredKey(table, key.hash))!.spend;
    expect(spend.holds.map((h) => h.id)).toEqual(['gen-live']);
    expect(spentIn(spend, 'total', ref)).toEqual({ usedMicros: 30, heldMicros: 30, spentMicros: 0 });
  });
});
