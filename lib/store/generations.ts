// Generation records: what happened to one request, every attempt included,
// kept 30 days (TTL) and served by GET /api/v1/generation. Each record is
// stored twice: by id (`GEN#<id>`), and in its account's day
// (`GENS#<account>#<yyyy-mm-dd>`, sorted by time) for the generations list;
// its counters go to the hour's activity rollup (activity-rollups.ts).
import { BatchWriteItemCommand, GetItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { isExpired, TTL_ATTRIBUTE, ttlAfter } from './table.ts';
import { num, S, N, str, type Item, type Table } from './dynamo.ts';
import type { UsageRecord } from '../usage/record.ts';
import { createRollupWriter } from './activity-rollups.ts';
import { listingItem } from './generation-listing.ts';

const genKey = (id: string) => ({ pk: S(`GEN#${id}`), sk: S('GEN') });

/** DynamoDB's BatchWriteItem takes at most 25 items: 12 records of two items each. */
const RECORDS_PER_BATCH = 12;
/**
 * A batch that fills under load writes the rollups it counted at most this
 * often (a flush the caller asks for always writes them): under load one
 * UpdateItem per group per interval, not one per batch.
 */
const ROLLUP_INTERVAL_MS = 5_000;
/** Rollups outlive the records by two days, so the 30th day back is whole. */
const ROLLUP_EXTRA_DAYS = 2;

export interface GenerationWriterLimits {
  /**
   * Records held at most while the store is slow or down; past it the oldest
   * are dropped (and logged), so a failing table costs a bounded amount of
   * memory rather than all of it.
   */
  maxQueued: number;
}

export const DEFAULT_GENERATION_WRITER_LIMITS: GenerationWriterLimits = { maxQueued: 2_000 };

export interface GenerationWriter {
  /** Queue a record; it is written with the next batch, which starts by itself once a batch is full. */
  add(record: UsageRecord, nowMs: number): void;
  /** Write everything queued; unprocessed items are retried, failures logged. */
  flush(): Promise<void>;
  /** Records queued and not yet handed to the store. */
  queued(): number;
}

/**
 * Generation records in batches of up to 25, off the request path. The
 * usage record is the generation record's content: one source, two uses.
 * Like OpenRouter's, a generation may be found only a moment after its
 * request ended.
 */
export function createGenerationWriter(
  table: Table,
  ttlDays: number,
  log: (entry: Record<string, unknown>) => void,
  limits: GenerationWriterLimits = DEFAULT_GENERATION_WRITER_LIMITS,
): GenerationWriter {
  const queue: { record: UsageRecord; ttl: number }[] = [];
  let running: Promise<void> = Promise.resolve();
  let writing = false;
  let dropped = 0;
  /** The clock as `add` last saw it: the rollups' TTL counts from it. */
  let latestNowMs = 0;
  const rollupWriter = createRollupWriter(table, (ttlDays + ROLLUP_EXTRA_DAYS) * 86_400, log);
  const writeBatch = async (batch: WriteRequest[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === 5) {
        log({ level: 'error', message: 'generation records not written', count: pending.length });
        return;
      }
      try {
        const result = await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.name]: pending } }));
        pending = result.UnprocessedItems?.[table.name] ?? [];
      } catch (error) {
        log({ level: 'warn', message: 'generation batch failed; retrying', error: String(error) });
      }
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  };
  let rollupsWrittenAt = Number.NEGATIVE_INFINITY;
  const writeAll = async (rollups: 'always' | 'when-due'): Promise<void> => {
    writing = true;
    try {
      // splice, not slice: a long queue is not copied once per batch.
      while (queue.length > 0)
        await writeBatch(queue.splice(0, RECORDS_PER_BATCH).flatMap(({ record, ttl }) => generationItems(record, ttl).map((item) => ({ PutRequest: { Item: item } }))));
      if (rollups === 'always' || latestNowMs - rollupsWrittenAt >= ROLLUP_INTERVAL_MS) {
        rollupsWrittenAt = latestNowMs;
        await rollupWriter.write(latestNowMs);
      }
    } finally {
      writing = false;
    }
  };
  const flush = (rollups: 'always' | 'when-due' = 'always'): Promise<void> => {
    running = running.then(() => writeAll(rollups));
    return running;
  };
  return {
    add(record, nowMs) {
      if (queue.length >= limits.maxQueued) {
        dropped += queue.splice(0, queue.length - limits.maxQueued + 1).length;
        // The first drop and then every thousandth: a dead table must not flood the log as well.
        if (dropped === 1 || dropped % 1_000 === 0) log({ level: 'error', message: 'generation records dropped: the store is not keeping up', dropped });
      }
      latestNowMs = Math.max(latestNowMs, nowMs);
      queue.push({ record, ttl: ttlAfter(nowMs, ttlDays * 86_400) });
      rollupWriter.count(record);
      // A full batch goes at once, so the queue stays short under load
      // whether or not anyone calls flush (local mode never drains per request).
      if (queue.length >= RECORDS_PER_BATCH && !writing) {
        writing = true;
        void flush('when-due');
      }
    },
    flush: () => flush('always'),
    queued: () => queue.length,
  };
}

/** The two items of one generation record: by id, and in its account's day. */
export function generationItems(record: UsageRecord, ttl: number): Item[] {
  const byId: Item = {
    ...genKey(record.id),
    type: S('generation'),
    accountId: S(record.account_id),
    record: S(JSON.stringify(record)),
    [TTL_ATTRIBUTE]: N(ttl),
  };
  return [byId, listingItem(record, ttl)];
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
