// No read grows with traffic (issue 22 point 6): with 100,000 generation
// items in the table — a busy month's worth beside a handful of accounts and
// keys — listing an account's keys, listing the accounts, loading health,
// reclaiming what refuses a request and the whole reclaim sweep each issue no
// Scan and read only the items they are about. Dynalite through the real AWS
// SDK; every call the store makes is counted by a middleware on its client.
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReclaimHandler } from '../../functions/reclaim/handler.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createHealthTracker } from '../../lib/health/index.ts';
import { assembleGateway } from '../../lib/http/assemble.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { environmentCredentials } from '../../lib/providers/credentials/index.ts';
import { settingsWith } from '../../lib/settings.ts';
import { periodsAt } from '../../lib/billing/periods.ts';
import { reserveForRequest } from '../../lib/billing/reservation.ts';
import { addCredits, createAccount, getAccount, listAccountIds, reclaimExpiredHolds } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { generationItems } from '../../lib/store/generations.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { reserveKeySpend } from '../../lib/store/key-spend.ts';
import { getStoredKey, listStoredKeys, putKey, type KeyRecord } from '../../lib/store/keys.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';
import { keyRecord } from '../support/key-record.ts';
import { testCatalog } from '../support/local-gateway.ts';
import { usageRecord } from '../support/usage-record.ts';

const GENERATION_ITEMS = 100_000;
const ACCOUNTS = ['acct-0', 'acct-1', 'acct-2'];
const KEYS_PER_ACCOUNT = 4;
const ENDPOINTS = ['m/a@one', 'm/b@two', 'm/c@three'];
const NOW = Date.parse('2026-08-22T10:00:00Z');
const HOLD_TTL_MS = 20 * 60_000;

interface Counted {
  /** Calls by operation name (`Query`, `GetItem`, …). */
  calls: Map<string, number>;
  /** Items DynamoDB read (and would bill) for those calls: ScannedCount of a Query or Scan, items returned by a get. */
  itemsRead: number;
}

let dynamo: TestDynamo;
let table: Table;
let counted: { table: Table; reset(): Counted; read(): Counted; close(): void };
const keysOf = new Map<string, KeyRecord[]>();

/** A client of the same dynalite whose every call is counted. */
function countingTable(endpoint: string, name: string): typeof counted {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  let state: Counted = { calls: new Map(), itemsRead: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = String(context.commandName).replace(/Command$/, '');
      state.calls.set(operation, (state.calls.get(operation) ?? 0) + 1);
      const output = result.output as { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> };
      if (operation === 'Query' || operation === 'Scan') state.itemsRead += output.ScannedCount ?? 0;
      if (operation === 'GetItem' && output.Item !== undefined) state.itemsRead += 1;
      if (operation === 'BatchGetItem') state.itemsRead += Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0);
      return result;
    },
    { step: 'initialize', name: 'countTableCalls' },
  );
  return {
    table: { client, name },
    reset: () => (state = { calls: new Map(), itemsRead: 0 }),
    read: () => state,
    close: () => client.destroy(),
  };
}

/** 100,000 generation items, as the generation writer stores them (two per record), in a 30-day spread over the accounts. */
async function fillWithGenerations(): Promise<void> {
  const requests: WriteRequest[] = [];
  for (let index = 0; requests.length < GENERATION_ITEMS; index += 1) {
    const createdAt = new Date(NOW - (index % (30 * 24 * 60)) * 60_000).toISOString();
    const record = usageRecord(`gen-${index.toString().padStart(8, '0')}`, { created_at: createdAt, account_id: ACCOUNTS[index % ACCOUNTS.length] as string });
    for (const item of generationItems(record, Math.floor(NOW / 1000) + 30 * 86_400)) requests.push({ PutRequest: { Item: item } });
  }
  const batches: WriteRequest[][] = [];
  for (let first = 0; first < requests.length; first += 25) batches.push(requests.slice(first, first + 25));
  const writeAll = async (): Promise<void> => {
    for (let batch = batches.pop(); batch !== undefined; batch = batches.pop()) {
      let pending = batch;
      while (pending.length > 0) {
        const result = await dynamo.client.send(new BatchWriteItemCommand({ RequestItems: { [table.name]: pending } }));
        pending = result.UnprocessedItems?.[table.name] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, writeAll));
}

function accountKeyRecord(accountId: string, index: number): KeyRecord {
  const at = new Date(NOW - (KEYS_PER_ACCOUNT - index) * 86_400_000).toISOString();
  return keyRecord(`${accountId}-${index}`.padEnd(64, '0'), accountId, at, { name: `key ${index}`, kind: index === 0 ? 'management' : 'inference' });
}

beforeAll(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
  await fillWithGenerations();
  for (const accountId of ACCOUNTS) {
    await createAccount(table, accountId, new Date(NOW).toISOString());
    await addCredits(table, accountId, 1_000_000);
    const keys = Array.from({ length: KEYS_PER_ACCOUNT }, (_, index) => accountKeyRecord(accountId, index));
    for (const key of keys) await putKey(table, key);
    keysOf.set(accountId, keys);
  }
  const health = createHealthStore(table);
  for (const endpointId of ENDPOINTS) {
    await health.update(
      endpointId,
      NOW,
      () => ({ failures: [], degradedUntil: undefined, lastFailureAt: undefined, latencyMs: undefined, throughputTps: undefined, latencySamples: [], throughputSamples: [], ttl: Math.floor(NOW / 1000) + 3600 }),
      { maxAttempts: 2 },
    );
  }
  counted = countingTable(dynamo.endpoint, dynamo.tableName);
}, 300_000);

afterAll(async () => {
  counted.close();
  await dynamo.close();
});

/** Holds abandoned an hour ago on acct-0: one whole reservation (account and key), one left on a key alone. */
async function abandonHolds(): Promise<{ whole: KeyRecord; orphan: KeyRecord }> {
  const [, whole, orphan] = keysOf.get('acct-0') as KeyRecord[];
  const then = NOW - 60 * 60_000;
  const reserved = await reserveForRequest(table, { key: whole as KeyRecord, holdId: 'gen-crashed', amountMicros: 900_000, now: then, ttlMs: HOLD_TTL_MS });
  expect(reserved.ok).toBe(true);
  expect(
    await reserveKeySpend(table, { hash: (orphan as KeyRecord).hash, ...periodsAt(then) }, { id: 'gen-half', amountMicros: 5_000, expiresAt: then + HOLD_TTL_MS }, undefined),
  ).toBe(true);
  return { whole: whole as KeyRecord, orphan: orphan as KeyRecord };
}

describe(`with ${GENERATION_ITEMS.toLocaleString('en')} generation items in the table`, () => {
  it('really holds them: a scan (here, in the test only) reads them all', async () => {
    let items = 0;
    let start: Record<string, never> | undefined;
    do {
      const page = await dynamo.client.send(new ScanCommand({ TableName: table.name, Select: 'COUNT', ExclusiveStartKey: start }));
      items += page.Count ?? 0;
      start = page.LastEvaluatedKey as typeof start;
    } while (start !== undefined);
    expect(items).toBeGreaterThanOrEqual(GENERATION_ITEMS + ACCOUNTS.length * (1 + KEYS_PER_ACCOUNT) + ENDPOINTS.length);
  });

  it("lists an account's keys reading twice its keys, not the table", async () => {
    counted.reset();
    const keys = await listStoredKeys(counted.table, 'acct-1');
    expect(keys.map((key) => key.record.name)).toEqual(['key 0', 'key 1', 'key 2', 'key 3']);
    const { calls, itemsRead } = counted.read();
    expect(calls.get('Scan')).toBeUndefined();
    expect(Object.fromEntries(calls)).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(itemsRead).toBe(2 * KEYS_PER_ACCOUNT);
  });

  it('lists the accounts reading one index entry per account', async () => {
    counted.reset();
    expect((await listAccountIds(counted.table)).sort()).toEqual(ACCOUNTS);
    expect(Object.fromEntries(counted.read().calls)).toEqual({ Query: 1 });
    expect(counted.read().itemsRead).toBe(ACCOUNTS.length);
  });

  it("loads health by the catalog's endpoint ids, one item each", async () => {
    counted.reset();
    const records = await createHealthStore(counted.table).getMany(ENDPOINTS, NOW);
    expect(records.map((record) => record.endpointId).sort()).toEqual(ENDPOINTS);
    expect(Object.fromEntries(counted.read().calls)).toEqual({ BatchGetItem: 1 });
    expect(counted.read().itemsRead).toBe(ENDPOINTS.length);
  });

  it('reclaims what would refuse a request with two item reads: its account and its key', async () => {
    const { whole, orphan } = await abandonHolds();
    counted.reset();
    // Admission's retry after a refusal (lib/pipeline/admit.ts): the account's holds and the requesting key's.
    expect(await reclaimExpiredHolds(counted.table, 'acct-0', NOW, orphan.hash)).toBe(2);
    const { calls, itemsRead } = counted.read();
    expect(calls.get('Scan')).toBeUndefined();
    expect(calls.get('GetItem')).toBe(2);
    expect(itemsRead).toBe(2);
    expect((await getAccount(table, 'acct-0'))?.holds).toEqual([]);
    for (const key of [whole, orphan]) expect((await getStoredKey(table, key.hash))?.spend.holds).toEqual([]);
  });

  it('sweeps every account and key with no scan, reading each account and its keys once', async () => {
    const { whole, orphan } = await abandonHolds();
    const logged: Array<Record<string, unknown>> = [];
    counted.reset();
    const summary = await createReclaimHandler({ table: counted.table, now: () => NOW, log: (entry) => void logged.push(entry) })();
    expect(summary).toEqual({ accounts: ACCOUNTS.length, reclaimed: 1, failed: 0 });
    const { calls, itemsRead } = counted.read();
    expect(calls.get('Scan')).toBeUndefined();
    // The account listing, then per account: its item, its keys' listing and the keys.
    expect(itemsRead).toBe(ACCOUNTS.length + ACCOUNTS.length * (1 + 2 * KEYS_PER_ACCOUNT));
    expect((await getAccount(table, 'acct-0'))?.availableMicros).toBe(1_000_000);
    for (const key of [whole, orphan]) expect((await getStoredKey(table, key.hash))?.spend.holds).toEqual([]);
  });

  it('refuses a request the balance cannot cover (402), and lists keys for the management API, through the gateway with no scan', async () => {
    // acct-2 keeps 10 µ$ of its credits: less than any request's worst case.
    await addCredits(table, 'acct-2', -999_990);
    const [apiKey, managementKey] = [generateApiKey(), generateApiKey()];
    for (const [key, kind] of [[apiKey, 'inference'], [managementKey, 'management']] as const) {
      await putKey(table, { ...accountKeyRecord('acct-2', 10), hash: await hashApiKey(key), kind, label: keyLabel(key), name: kind });
    }
    const catalog = createCatalog(testCatalog(), { simulatorUrl: 'http://127.0.0.1:9' });
    const { gateway, drain } = assembleGateway({
      catalog,
      table: counted.table,
      credentials: environmentCredentials({}),
      usageSink: { write: async () => undefined, flush: async () => undefined },
      health: createHealthTracker({ now: () => NOW, endpointIds: catalog.endpoints.map((endpoint) => endpoint.id) }),
      awsCredentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
      settings: settingsWith({}),
      log: () => undefined,
      now: () => NOW,
    });
    counted.reset();

    const refused = await gateway.handle(
      new Request('http://gateway.test/api/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] }),
      }),
    );
    expect([refused.status, await refused.text()]).toEqual([402, expect.stringContaining('credits')]);
    const onRefusal = counted.read();
    // The key; the two refused reservations (account and key); the reclaim's account and key; the account for the message.
    expect(Object.fromEntries(onRefusal.calls)).toEqual({ GetItem: 4, UpdateItem: 2 });
    expect(onRefusal.itemsRead).toBe(4);

    counted.reset();
    const listed = await gateway.handle(new Request('http://gateway.test/api/v1/keys', { headers: { authorization: `Bearer ${managementKey}` } }));
    expect(listed.status).toBe(200);
    const { data } = (await listed.json()) as { data: Array<{ name: string }> };
    expect(data.map((key) => key.name)).toContain('inference');
    expect(counted.read().calls.get('Scan')).toBeUndefined();
    expect(counted.read().itemsRead).toBeLessThanOrEqual(2 * (KEYS_PER_ACCOUNT + 2) + 1);
    await drain();
  });
});
