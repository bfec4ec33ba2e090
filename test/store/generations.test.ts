import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const table = observedTable(dynamo, (count) => {
      written.push(count);
      if (written.reduce((sum, size) => sum + size, 0) === 60) allWritten();
    });
    const writer = createGenerationWriter(table, 30, () => undefined);
    const direct = { client: dynamo.client, name: dynamo.tableName };

    for (let index = 0; index < 60; index += 1) writer.add(record(index), NOW);
    await sixtyWritten;

    expect(written.slice(0, 2)).toEqual([25, 25]);
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
