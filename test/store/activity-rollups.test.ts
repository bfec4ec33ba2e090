// Rollups count once (issue 21 point 7): a rollup write retried after a lost
// reply must not count its batch twice in /activity and the dashboard. Against
// dynalite through the real SDK; the lost reply is a client that applies the
// write and then throws, as a timeout after DynamoDB applied it would.
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addRecord, addToRollup, createRollupWriter, emptyCounters, groupOf, readDayRollups } from '../../lib/store/activity-rollups.ts';
import { createGenerationWriter } from '../../lib/store/generations.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { usageRecord } from '../support/usage-record.ts';
import { createTable, startDynamo, type TestDynamo } from '../support/dynalite.ts';

const NOW = 1_750_000_000_000;
const TTL_SECONDS = 32 * 86_400;
const DAY = '2025-06-15';
const record = (id: string) => usageRecord(id, { created_at: '2025-06-15T10:00:00.000Z', cost_micros: 27 });

/** The real client; the rollup writes listed in `lose` are applied, and then their reply is lost. */
function lossyTable(dynamo: TestDynamo, name: string, lose: { next: number }): Table {
  const client = {
    send: async (command: unknown) => {
      const result: unknown = await dynamo.client.send(command as Parameters<DynamoDBClient['send']>[0]);
      if (command instanceof UpdateItemCommand && lose.next > 0) {
        lose.next -= 1;
        throw Object.assign(new Error('socket hang up after the write was applied'), { name: 'TimeoutError' });
      }
      return result;
    },
  };
  return { client: client as unknown as DynamoDBClient, name };
}

let dynamo: TestDynamo;
let table: Table;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
});
beforeEach(async () => {
  table = { client: dynamo.client, name: `rollups-${(tables += 1)}` };
  await createTable(dynamo.client, table.name);
});
afterAll(async () => {
  await dynamo.close();
});

const requestsIn = async (at: Table): Promise<number> =>
  (await readDayRollups(at, 'acct-1', DAY, NOW)).reduce((sum, rollup) => sum + rollup.counters.requests, 0);

describe('activity rollups', () => {
  it('count the same write (writer and sequence) once, however often it is sent', async () => {
    const counters = emptyCounters();
    for (const id of ['gen-1', 'gen-2', 'gen-3']) addRecord(counters, record(id));
    const write = { group: groupOf(record('gen-1')), counters, writerId: 'writer-a', sequence: 1 };

    expect(await addToRollup(table, write, TTL_SECONDS, NOW)).toBe(true);
    expect(await addToRollup(table, write, TTL_SECONDS, NOW)).toBe(false);

    const [rollup] = await readDayRollups(table, 'acct-1', DAY, NOW);
    expect(rollup?.counters).toMatchObject({ requests: 3, costMicros: 81 });
    expect(rollup?.counters.statuses).toEqual(new Map([[200, 3]]));
  });

  it('add a later write of the same writer, and another writer’s write', async () => {
    const counters = emptyCounters();
    addRecord(counters, record('gen-1'));
    const group = groupOf(record('gen-1'));

    await addToRollup(table, { group, counters, writerId: 'writer-a', sequence: 1 }, TTL_SECONDS, NOW);
    await addToRollup(table, { group, counters, writerId: 'writer-a', sequence: 2 }, TTL_SECONDS, NOW);
    await addToRollup(table, { group, counters, writerId: 'writer-b', sequence: 1 }, TTL_SECONDS, NOW);

    expect(await requestsIn(table)).toBe(3);
  });

  it('count a batch once when the reply to its write was lost and the writer sent it again', async () => {
    const lose = { next: 1 };
    const warnings: unknown[] = [];
    const writer = createRollupWriter(lossyTable(dynamo, table.name, lose), TTL_SECONDS, (entry) => warnings.push(entry));
    for (const id of ['gen-1', 'gen-2']) writer.count(record(id));

    await writer.write(NOW);
    expect(warnings).toHaveLength(1);
    // New counts for the same group wait behind the unconfirmed write, which goes again first, as it was.
    writer.count(record('gen-3'));
    await writer.write(NOW);

    expect(await requestsIn(table)).toBe(3);
    const [rollup] = await readDayRollups(table, 'acct-1', DAY, NOW);
    expect(rollup?.counters.costMicros).toBe(81);
  });

  it('count once through the generation writer, whose flush is retried after a lost reply', async () => {
    const lose = { next: 1 };
    const warnings: unknown[] = [];
    const writer = createGenerationWriter(lossyTable(dynamo, table.name, lose), 30, (entry) => warnings.push(entry));
    for (const id of ['gen-1', 'gen-2', 'gen-3', 'gen-4']) writer.add(record(id), NOW);

    await writer.flush();
    expect(warnings).toHaveLength(1);
    await writer.flush();
    await writer.flush();

    expect(await requestsIn(table)).toBe(4);
  });
});
