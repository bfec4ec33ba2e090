// The generations list: a second item per generation record, in its
// account's UTC day (`GENS#<account>#<yyyy-mm-dd>`) under `<created_at>#<id>`,
// so an account's recent generations are read newest first with a Query per
// day, never a scan. Pages are bounded twice: by the number asked for, and
// by the items one call may read (a search that matches little stops early
// and hands back a cursor).
import { QueryCommand, type AttributeValue, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { N, num, S, str, type Item, type Table } from './dynamo.ts';
import { isExpired, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table.ts';
import type { UsageRecord } from '../usage/record.ts';

const DAY_MS = 86_400_000;
/** Items one listing call reads at most, matches or not (DynamoDB charges for each). */
export const MAX_ITEMS_READ_PER_CALL = 1_000;

const partitionKey = (accountId: string, day: string): string => `GENS#${accountId}#${day}`;

export function listingItem(record: UsageRecord, ttl: number): Item {
  return {
    [PARTITION_KEY]: S(partitionKey(record.account_id, record.created_at.slice(0, 10))),
    [SORT_KEY]: S(`${record.created_at}#${record.id}`),
    type: S('generation-listing'),
    // What a search matches against, lower-cased: never prompt or completion text (a record has none).
    search: S([record.id, record.model_requested, record.model ?? '', record.provider ?? '', record.key_hash_prefix, String(record.status)].join(' ').toLowerCase()),
    record: S(JSON.stringify(record)),
    [TTL_ATTRIBUTE]: N(ttl),
  };
}

export interface GenerationListQuery {
  accountId: string;
  /** Epoch ms, inclusive. */
  fromMs: number;
  /** Epoch ms, exclusive. */
  toMs: number;
  limit: number;
  /** Case-insensitive text the id, models, provider, key prefix or status must contain. */
  search?: string | undefined;
  /** Where the previous page stopped. */
  cursor?: GenerationCursor | undefined;
}

/** Continue in `day` after the item whose sort key is `after` (or from the day's newest when absent). */
export interface GenerationCursor {
  day: string;
  after?: string | undefined;
}

export interface GenerationPage {
  /** Stored usage records as JSON, newest first. */
  records: string[];
  /** Where the next page starts, or undefined when the range is exhausted. */
  next: GenerationCursor | undefined;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const previousDay = (day: string): string => dayOf(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS);

export async function listGenerations(table: Table, query: GenerationListQuery, nowMs: number): Promise<GenerationPage> {
  const records: string[] = [];
  const firstDay = dayOf(query.fromMs);
  const lower = new Date(query.fromMs).toISOString();
  const upper = new Date(query.toMs).toISOString();
  let day = query.cursor?.day ?? dayOf(query.toMs - 1);
  let after = query.cursor?.after;
  let read = 0;
  while (day >= firstDay) {
    let startKey: Record<string, AttributeValue> | undefined =
      after === undefined ? undefined : { [PARTITION_KEY]: S(partitionKey(query.accountId, day)), [SORT_KEY]: S(after) };
    do {
      const page: QueryCommandOutput = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
          FilterExpression: query.search === undefined ? undefined : 'contains(#search, :search)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, ...(query.search === undefined ? {} : { '#search': 'search' }) },
          ExpressionAttributeValues: {
            ':pk': S(partitionKey(query.accountId, day)),
            ':lower': S(lower),
            // Sort keys are `<created_at>#<id>`: one just below `upper` still sorts below `upper#`.
            ':upper': S(upper),
            ...(query.search === undefined ? {} : { ':search': S(query.search.toLowerCase()) }),
          },
          ScanIndexForward: false,
          Limit: Math.min(100, MAX_ITEMS_READ_PER_CALL - read),
          ExclusiveStartKey: startKey,
        }),
      );
      read += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const record = str(item, 'record');
        if (record === undefined || isExpired(num(item, TTL_ATTRIBUTE), nowMs)) continue;
        records.push(record);
        if (records.length === query.limit) {
          const sortKey = str(item, SORT_KEY);
          return { records, next: sortKey === undefined ? undefined : { day, after: sortKey } };
        }
      }
      startKey = page.LastEvaluatedKey;
      if (read >= MAX_ITEMS_READ_PER_CALL) {
        const stoppedAt = startKey?.[SORT_KEY]?.S;
        if (stoppedAt !== undefined) return { records, next: { day, after: stoppedAt } };
        const earlier = previousDay(day);
        return { records, next: earlier >= firstDay ? { day: earlier } : undefined };
      }
    } while (startKey !== undefined);
    day = previousDay(day);
    after = undefined;
  }
  return { records, next: undefined };
}
