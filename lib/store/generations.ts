// Generation records: what happened to one request, every attempt included,
// kept 30 days (TTL) and served by GET /api/v1/generation.
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isExpired, TTL_ATTRIBUTE, ttlAfter } from './table.ts';
import { num, S, N, str, type Table } from './dynamo.ts';
import type { UsageRecord } from '../usage/record.ts';

const genKey = (id: string) => ({ pk: S(`GEN#${id}`), sk: S('GEN') });

/** The usage record is the generation record's content: one source, two uses. */
export async function putGeneration(table: Table, record: UsageRecord, nowMs: number, ttlDays: number): Promise<void> {
  await table.client.send(
    new PutItemCommand({
      TableName: table.name,
      Item: {
        ...genKey(record.id),
        type: S('generation'),
        accountId: S(record.account_id),
        record: S(JSON.stringify(record)),
        [TTL_ATTRIBUTE]: N(ttlAfter(nowMs, ttlDays * 86_400)),
      },
    }),
  );
}

export interface StoredGeneration {
  accountId: string;
  /** The stored JSON of the usage record. */
  record: string;
}

export async function getGeneration(table: Table, id: string, nowMs: number): Promise<StoredGeneration | undefined> {
  const result = await table.client.send(new GetItemCommand({ TableName: table.name, Key: genKey(id) }));
  const item = result.Item;
  if (item === undefined || isExpired(num(item, TTL_ATTRIBUTE), nowMs)) return undefined;
  const accountId = str(item, 'accountId');
  const record = str(item, 'record');
  return accountId === undefined || record === undefined ? undefined : { accountId, record };
}
