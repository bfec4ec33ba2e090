import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthStore, HealthWriteConflictError, type HealthRecordContent, type HealthStore } from '../../lib/store/health.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const NOW = 1_750_000_000_000;
const ttlIn = (seconds: number): number => Math.floor(NOW / 1000) + seconds;

const content = (overrides: Partial<HealthRecordContent> = {}): HealthRecordContent => ({
  failures: [NOW - 2000, NOW - 1000],
  degradedUntil: NOW + 60_000,
  lastFailureAt: NOW - 1000,
  latencyMs: { p50: 310, p75: 420, p90: 800, p99: 1200.5 },
  throughputTps: { p50: 80, p75: 95, p90: 120, p99: 150 },
  latencySamples: [{ at: NOW - 5000, value: 310 }],
  throughputSamples: [{ at: NOW - 5000, value: 80 }],
  ttl: ttlIn(3600),
  ...overrides,
});

describe('health records in DynamoDB (dynalite)', () => {
  let dynamo: TestDynamo;
  let store: HealthStore;

  beforeAll(async () => {
    dynamo = await startDynamo();
    store = createHealthStore({ client: dynamo.client, name: dynamo.tableName });
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('round-trips a record', async () => {
    const written = await store.update('m/a@one', NOW, () => content(), { maxAttempts: 2 });
    expect(written).toMatchObject({ endpointId: 'm/a@one', version: 1, updatedAt: NOW });
    expect(await store.get('m/a@one', NOW)).toEqual(written);
    expect(await store.getMany(['m/a@one', 'm/a@missing'], NOW)).toEqual([written]);
  });

  it('keeps absent optional fields absent', async () => {
    await store.update('m/a@quiet', NOW, () => content({ degradedUntil: undefined, lastFailureAt: undefined, latencyMs: undefined, throughputTps: undefined, failures: [], latencySamples: [], throughputSamples: [] }), { maxAttempts: 2 });
    expect(await store.get('m/a@quiet', NOW)).toMatchObject({ degradedUntil: undefined, latencyMs: undefined, failures: [] });
  });

  it('hands the current record to the change and raises the version', async () => {
    await store.update('m/a@two', NOW, () => content({ failures: [1] }), { maxAttempts: 2 });
    const seen: unknown[] = [];
    const next = await store.update('m/a@two', NOW + 1, (current) => {
      seen.push(current?.failures);
      return content({ failures: [...(current?.failures ?? []), 2] });
    }, { maxAttempts: 2 });
    expect(seen).toEqual([[1]]);
    expect(next).toMatchObject({ version: 2, failures: [1, 2], updatedAt: NOW + 1 });
  });

  it('ignores a record whose ttl has passed, though DynamoDB still holds it', async () => {
    await store.update('m/a@old', NOW - 7200_000, () => content({ ttl: ttlIn(-60) }), { maxAttempts: 2 });
    expect(await store.get('m/a@old', NOW)).toBeUndefined();
    expect(await store.getMany(['m/a@old'], NOW)).toEqual([]);
    // Still readable before its expiry: the item really is in the table.
    expect(await store.get('m/a@old', ttlIn(-61) * 1000)).toBeDefined();
  });

  it('starts afresh over an expired record', async () => {
    await store.update('m/a@stale', NOW - 7200_000, () => content({ ttl: ttlIn(-60), failures: [1, 2, 3] }), { maxAttempts: 2 });
    let seen: unknown = 'not called';
    const next = await store.update('m/a@stale', NOW, (current) => {
      seen = current;
      return content({ failures: [] });
    }, { maxAttempts: 2 });
    expect(seen).toBeUndefined();
    expect(next.version).toBe(2);
  });

  it('reads the records of the endpoints asked for, and nothing else', async () => {
    await dynamo.client.send(new PutItemCommand({ TableName: dynamo.tableName, Item: { pk: { S: 'KEY#abc' }, sk: { S: 'KEY' } } }));
    await store.update('m/b@one', NOW, () => content(), { maxAttempts: 2 });
    const ids = (await store.getMany(['m/a@one', 'm/b@one', 'm/a@old', 'm/never@written', 'm/b@one'], NOW)).map((record) => record.endpointId);
    expect(ids.sort()).toEqual(['m/a@one', 'm/b@one']);
  });

  it('skips an item it cannot read instead of failing the whole load', async () => {
    await dynamo.client.send(
      new PutItemCommand({ TableName: dynamo.tableName, Item: { pk: { S: 'HEALTH#m/c@broken' }, sk: { S: 'HEALTH' }, version: { S: 'x' } } }),
    );
    expect(await store.get('m/c@broken', NOW)).toBeUndefined();
    expect((await store.getMany(['m/c@broken', 'm/a@one'], NOW)).map((record) => record.endpointId)).toEqual(['m/a@one']);
  });

  it('loses no write when two writers race: the loser reads again and retries', async () => {
    const appendFailure = (at: number) => (current: { failures: number[] } | undefined) => content({ failures: [...(current?.failures ?? []), at] });
    await Promise.all([
      store.update('m/a@race', NOW, appendFailure(1), { maxAttempts: 5 }),
      store.update('m/a@race', NOW, appendFailure(2), { maxAttempts: 5 }),
      store.update('m/a@race', NOW, appendFailure(3), { maxAttempts: 5 }),
    ]);
    const record = await store.get('m/a@race', NOW);
    expect([...(record?.failures ?? [])].sort()).toEqual([1, 2, 3]);
    expect(record?.version).toBe(3);
  });

  it('gives up with a conflict error when someone writes between every read and write', async () => {
    let puts = 0;
    // A client that lets another writer in just before each of our writes.
    const meddling = {
      send: async (command: unknown) => {
        if (command instanceof PutItemCommand) {
          puts++;
          await store.update('m/a@conflict', NOW, () => content(), { maxAttempts: 1 });
        }
        return dynamo.client.send(command as PutItemCommand);
      },
    } as unknown as DynamoDBClient;
    const contested = createHealthStore({ client: meddling, name: dynamo.tableName });
    await expect(contested.update('m/a@conflict', NOW, () => content(), { maxAttempts: 3 })).rejects.toBeInstanceOf(HealthWriteConflictError);
    expect(puts).toBe(3);
    expect((await store.get('m/a@conflict', NOW))?.version).toBe(3);
  });
});
