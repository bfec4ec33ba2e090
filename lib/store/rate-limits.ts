// Per-key request rate limits: one counter item per key and minute
// (`RATE#<key hash>#<minute>`), counted with a conditional ADD so that two
// containers can never let the limit+1st request through (reliability.md §3,
// point 9). The items expire by TTL two minutes later.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, num, S, type Table } from './dynamo.ts';
import { TTL_ATTRIBUTE, ttlAfter } from './table.ts';

export const RATE_WINDOW_MS = 60_000;

/** Named condition of the count: what it guarantees. */
const conditions = {
  /** Fewer than the limit are counted in this window: the limit+1st request is never let through. */
  underRateLimit: 'attribute_not_exists(#n) OR #n < :limit',
} as const;

export type CountResult = { allowed: true; count: number } | { allowed: false };

/** Count one request of the window `now` falls in, unless `limit` are counted already (`conditions.underRateLimit`). */
export async function countRequest(table: Table, keyHash: string, limit: number, now: number): Promise<CountResult> {
  const window = Math.floor(now / RATE_WINDOW_MS);
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: { pk: S(`RATE#${keyHash}#${window}`), sk: S('RATE') },
        UpdateExpression: 'ADD #n :one SET #ttl = :ttl',
        ConditionExpression: conditions.underRateLimit,
        ExpressionAttributeNames: { '#n': 'n', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': N(1),
          ':limit': N(limit),
          ':ttl': N(ttlAfter((window + 1) * RATE_WINDOW_MS, 2 * 60)),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { allowed: true, count: num(result.Attributes ?? {}, 'n') ?? limit };
  } catch (error) {
    if (isConditionFailure(error)) return { allowed: false };
    throw error;
  }
}
