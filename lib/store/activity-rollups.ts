// Activity rollups: per account, UTC hour, key and endpoint, the counters
// the dashboard and GET /api/v1/activity read (requests, tokens, cost,
// errors by status, fallbacks, latency histograms). One item per group
// (`ACT#<account>#<yyyy-mm-dd>`, `<hh>#<key prefix>#<endpoint>`), raised
// with ADD by the generation writer after the reply, so reading a month of
// activity costs items per group used, not per request.
//
// Counted once, as the ledger is: every write of a group's counters carries
// its writer's id and a sequence number, and applies only if the item has not
// seen that writer's number yet (`notYetCounted`). A write retried after a
// lost reply finds its number there and changes nothing; a writer never sends
// a group's next counters before the last ones are known to be in.
import { QueryCommand, UpdateItemCommand, type AttributeValue, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, num, S, str, type Item, type Table } from './dynamo.ts';
import { isExpired, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, ttlAfter } from './table.ts';
import type { UsageRecord } from '../usage/record.ts';

/**
 * Upper edges (ms) of the latency histogram's buckets; the last bucket is
 * open-ended. Percentiles read from it are the upper edge of the bucket the
 * rank falls in: exact to within one bucket.
 */
export const LATENCY_BUCKET_EDGES_MS: readonly number[] = [
  10, 25, 50, 100, 150, 250, 400, 600, 1_000, 1_500, 2_500, 4_000, 6_000, 10_000, 15_000, 25_000, 40_000, 60_000, 120_000, 300_000,
];
const BUCKET_COUNT = LATENCY_BUCKET_EDGES_MS.length + 1;

export function latencyBucket(ms: number): number {
  const index = LATENCY_BUCKET_EDGES_MS.findIndex((edge) => ms <= edge);
  return index === -1 ? LATENCY_BUCKET_EDGES_MS.length : index;
}

export interface ActivityCounters {
  requests: number;
  /** Requests answered with a status other than 200. */
  errors: number;
  /** Requests an attempt other than the first served. */
  fallbacks: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  costMicros: number;
  /** Requests by the HTTP status sent to the client. */
  statuses: Map<number, number>;
  /** Time to first byte, counts per LATENCY_BUCKET_EDGES_MS bucket. */
  ttfbBuckets: number[];
  /** Whole request, counts per bucket. */
  latencyBuckets: number[];
}

export interface ActivityGroup {
  accountId: string;
  /** `yyyy-mm-ddThh`, UTC. */
  hour: string;
  keyHashPrefix: string;
  /** The endpoint that served, or null when none did. */
  endpoint: string | null;
  /** The model that served, else the one asked for. */
  model: string;
  provider: string | null;
}

export interface ActivityRollup extends ActivityGroup {
  counters: ActivityCounters;
}

export function emptyCounters(): ActivityCounters {
  return {
    requests: 0,
    errors: 0,
    fallbacks: 0,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    costMicros: 0,
    statuses: new Map(),
    ttfbBuckets: new Array<number>(BUCKET_COUNT).fill(0),
    latencyBuckets: new Array<number>(BUCKET_COUNT).fill(0),
  };
}

export function groupOf(record: UsageRecord): ActivityGroup {
  return {
    accountId: record.account_id,
    hour: record.created_at.slice(0, 13),
    keyHashPrefix: record.key_hash_prefix,
    endpoint: record.endpoint,
    model: record.model ?? record.model_requested,
    provider: record.provider,
  };
}

/** Identity of a group inside its day's partition. */
export const groupSortKey = (group: ActivityGroup): string =>
  `${group.hour.slice(11, 13)}#${group.keyHashPrefix}#${group.endpoint ?? `none:${group.model}`}`;

export function addRecord(counters: ActivityCounters, record: UsageRecord): void {
  counters.requests += 1;
  if (record.status !== 200) counters.errors += 1;
  if (record.fallback) counters.fallbacks += 1;
  counters.promptTokens += record.prompt_tokens;
  counters.completionTokens += record.completion_tokens;
  counters.reasoningTokens += record.reasoning_tokens;
  counters.cachedTokens += record.cached_tokens;
  counters.costMicros += record.cost_micros;
  counters.statuses.set(record.status, (counters.statuses.get(record.status) ?? 0) + 1);
  if (record.ttfb_ms !== null) counters.ttfbBuckets[latencyBucket(record.ttfb_ms)]! += 1;
  counters.latencyBuckets[latencyBucket(record.latency_ms)]! += 1;
}

export function mergeCounters(into: ActivityCounters, from: ActivityCounters): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.fallbacks += from.fallbacks;
  into.promptTokens += from.promptTokens;
  into.completionTokens += from.completionTokens;
  into.reasoningTokens += from.reasoningTokens;
  into.cachedTokens += from.cachedTokens;
  into.costMicros += from.costMicros;
  for (const [status, count] of from.statuses) into.statuses.set(status, (into.statuses.get(status) ?? 0) + count);
  from.ttfbBuckets.forEach((count, index) => (into.ttfbBuckets[index]! += count));
  from.latencyBuckets.forEach((count, index) => (into.latencyBuckets[index]! += count));
}

const partitionKey = (accountId: string, day: string): string => `ACT#${accountId}#${day}`;

/** Counter attribute names: fixed ones, then `s<status>`, `t<bucket>`, `l<bucket>`. */
const FIXED_COUNTERS = {
  requests: 'requests',
  errors: 'errors',
  fallbacks: 'fallbacks',
  promptTokens: 'promptTokens',
  completionTokens: 'completionTokens',
  reasoningTokens: 'reasoningTokens',
  cachedTokens: 'cachedTokens',
  costMicros: 'costMicros',
} as const;

/** One write of a group's counters; retried as it is, same sequence, until it is known to be in. */
export interface RollupWrite {
  group: ActivityGroup;
  counters: ActivityCounters;
  /** Who writes (one per generation writer) and its write's number, rising. */
  writerId: string;
  sequence: number;
}

/** The item attribute that keeps the last sequence of a writer counted into the item. */
const writerAttribute = (writerId: string): string => `seq:${writerId}`;

/**
 * Adds a group's counters to its item (created on first use), once per
 * (writer, sequence): true when this call added them, false when they were
 * already in (an earlier try whose reply was lost, or a replay).
 */
export async function addToRollup(table: Table, write: RollupWrite, ttlSeconds: number, nowMs: number): Promise<boolean> {
  const { group, counters } = write;
  const names: Record<string, string> = { '#model': 'model', '#hour': 'hour', '#key': 'keyHashPrefix', '#ttl': TTL_ATTRIBUTE, '#writer': writerAttribute(write.writerId) };
  const values: Record<string, AttributeValue> = {
    ':model': S(group.model),
    ':hour': S(group.hour),
    ':key': S(group.keyHashPrefix),
    ':ttl': N(ttlAfter(nowMs, ttlSeconds)),
    ':sequence': N(write.sequence),
  };
  const sets = ['#model = :model', '#hour = :hour', '#key = :key', '#ttl = :ttl', '#writer = :sequence'];
  if (group.endpoint !== null) {
    names['#endpoint'] = 'endpoint';
    values[':endpoint'] = S(group.endpoint);
    sets.push('#endpoint = :endpoint');
  }
  if (group.provider !== null) {
    names['#provider'] = 'provider';
    values[':provider'] = S(group.provider);
    sets.push('#provider = :provider');
  }
  const adds: string[] = [];
  const add = (attribute: string, amount: number): void => {
    if (amount === 0) return;
    const index = adds.length;
    names[`#c${index}`] = attribute;
    values[`:c${index}`] = N(amount);
    adds.push(`#c${index} :c${index}`);
  };
  for (const [field, attribute] of Object.entries(FIXED_COUNTERS)) add(attribute, counters[field as keyof typeof FIXED_COUNTERS]);
  for (const [status, count] of counters.statuses) add(`s${status}`, count);
  counters.ttfbBuckets.forEach((count, index) => add(`t${index}`, count));
  counters.latencyBuckets.forEach((count, index) => add(`l${index}`, count));
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: { [PARTITION_KEY]: S(partitionKey(group.accountId, group.hour.slice(0, 10))), [SORT_KEY]: S(groupSortKey(group)) },
        UpdateExpression: adds.length === 0 ? `SET ${sets.join(', ')}` : `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
        // notYetCounted: this writer's write number `sequence` has not been added to the item.
        ConditionExpression: 'attribute_not_exists(#writer) OR #writer < :sequence',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Rollup groups written at once. */
const ROLLUP_WRITE_CONCURRENCY = 8;
/**
 * Groups whose counters wait for a write at most (a group is an hour, key
 * and endpoint); past it new groups are not counted (and that is logged),
 * so a failing table costs bounded memory.
 */
const MAX_PENDING_GROUPS = 5_000;

export interface RollupWriter {
  /** Count a record into its group's next write. */
  count(record: UsageRecord): void;
  /** Write what was counted: first any write not yet known to be in (as it was), then the new counters. */
  write(nowMs: number): Promise<void>;
}

/**
 * The generation writer's rollups. A write whose reply was lost stays
 * unconfirmed and is sent again, unchanged, before that group's next
 * counters: the sequences of one writer reach each item in order, so the
 * condition both skips a replay and never skips a new write.
 */
export function createRollupWriter(
  table: Table,
  ttlSeconds: number,
  log: (entry: Record<string, unknown>) => void,
  writerId: string = crypto.randomUUID().slice(0, 13),
): RollupWriter {
  const counting = new Map<string, { group: ActivityGroup; counters: ActivityCounters }>();
  const unconfirmed = new Map<string, RollupWrite>();
  let sequence = 0;
  let uncounted = 0;
  const send = async (id: string, write: RollupWrite, nowMs: number): Promise<boolean> => {
    try {
      await addToRollup(table, write, ttlSeconds, nowMs);
      unconfirmed.delete(id);
      return true;
    } catch (error) {
      unconfirmed.set(id, write);
      log({ level: 'warn', message: 'activity rollup write failed; sent again with the next flush', error: String(error) });
      return false;
    }
  };
  const writeGroup = async (id: string, nowMs: number): Promise<void> => {
    const retry = unconfirmed.get(id);
    if (retry !== undefined && !(await send(id, retry, nowMs))) return;
    const fresh = counting.get(id);
    if (fresh === undefined) return;
    counting.delete(id);
    await send(id, { ...fresh, writerId, sequence: (sequence += 1) }, nowMs);
  };
  return {
    count(record) {
      const group = groupOf(record);
      const id = `${group.accountId}|${group.hour}|${groupSortKey(group)}`;
      let pending = counting.get(id);
      if (pending === undefined) {
        if (counting.size + unconfirmed.size >= MAX_PENDING_GROUPS) {
          uncounted += 1;
          if (uncounted === 1 || uncounted % 1_000 === 0) log({ level: 'error', message: 'activity rollups dropped: the store is not keeping up', uncounted });
          return;
        }
        pending = { group, counters: emptyCounters() };
        counting.set(id, pending);
      }
      addRecord(pending.counters, record);
    },
    async write(nowMs) {
      const ids = [...new Set([...unconfirmed.keys(), ...counting.keys()])];
      for (let start = 0; start < ids.length; start += ROLLUP_WRITE_CONCURRENCY) {
        await Promise.all(ids.slice(start, start + ROLLUP_WRITE_CONCURRENCY).map((id) => writeGroup(id, nowMs)));
      }
    },
  };
}

/** Every rollup of an account's UTC day (`yyyy-mm-dd`), each hour included; expired ones left out. */
export async function readDayRollups(table: Table, accountId: string, day: string, nowMs: number): Promise<ActivityRollup[]> {
  const rollups: ActivityRollup[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page: QueryCommandOutput = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        ExpressionAttributeValues: { ':pk': S(partitionKey(accountId, day)) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const rollup = rollupFromItem(accountId, item, nowMs);
      if (rollup !== undefined) rollups.push(rollup);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return rollups;
}

function rollupFromItem(accountId: string, item: Item, nowMs: number): ActivityRollup | undefined {
  const hour = str(item, 'hour');
  const model = str(item, 'model');
  if (hour === undefined || model === undefined || isExpired(num(item, TTL_ATTRIBUTE), nowMs)) return undefined;
  const counters = emptyCounters();
  for (const [field, attribute] of Object.entries(FIXED_COUNTERS)) counters[field as keyof typeof FIXED_COUNTERS] = num(item, attribute) ?? 0;
  for (const [attribute, value] of Object.entries(item)) {
    const match = /^([stl])(\d+)$/.exec(attribute);
    if (match === null || value.N === undefined) continue;
    const index = Number(match[2]);
    const count = Number(value.N);
    if (match[1] === 's') counters.statuses.set(index, count);
    else if (index < BUCKET_COUNT) (match[1] === 't' ? counters.ttfbBuckets : counters.latencyBuckets)[index] = count;
  }
  return {
    accountId,
    hour,
    keyHashPrefix: str(item, 'keyHashPrefix') ?? '',
    endpoint: str(item, 'endpoint') ?? null,
    model,
    provider: str(item, 'provider') ?? null,
    counters,
  };
}
