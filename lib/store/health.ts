// Endpoint health records: one item per endpoint (`HEALTH#<endpoint id>`,
// `HEALTH`), shared by every container and the probe. Records are read by
// key: the catalog names the endpoints, so no read ever looks for them
// (a scan would read every generation item too). Writes are
// read-modify-write under an optimistic version check, so concurrent
// writers never lose each other's failures. Reads skip expired records
// even before DynamoDB's lazy TTL deletion removes them.
import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { isConditionFailure, N, S, type Item, type Table } from './dynamo.ts';
import { isExpired, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table.ts';

export interface HealthPercentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

export interface HealthSample {
  /** Epoch ms. */
  at: number;
  value: number;
}

export interface HealthRecord {
  endpointId: string;
  /** Epoch ms of recent counted failures (the breaker's window). */
  failures: number[];
  /** Epoch ms the open breaker closes at. */
  degradedUntil: number | undefined;
  lastFailureAt: number | undefined;
  /** Time to first token, derived from `latencySamples`. */
  latencyMs: HealthPercentiles | undefined;
  /** Output tokens per second, derived from `throughputSamples`. */
  throughputTps: HealthPercentiles | undefined;
  latencySamples: HealthSample[];
  throughputSamples: HealthSample[];
  /** Epoch ms of the last write. */
  updatedAt: number;
  /** Raised by every write; the optimistic-concurrency token. */
  version: number;
  /** Epoch seconds; the table's TTL attribute. */
  ttl: number;
}

/** What a writer decides; the store adds identity, version and time. */
export type HealthRecordContent = Omit<HealthRecord, 'endpointId' | 'updatedAt' | 'version'>;

export interface HealthStore {
  get(endpointId: string, now: number): Promise<HealthRecord | undefined>;
  /** The records of these endpoints; missing and expired ones are left out. */
  getMany(endpointIds: readonly string[], now: number): Promise<HealthRecord[]>;
  /**
   * Read the record (undefined when absent or expired), compute its next
   * content and write it unless someone wrote in between; then try again.
   */
  update(
    endpointId: string,
    now: number,
    change: (current: HealthRecord | undefined) => HealthRecordContent,
    options: { maxAttempts: number },
  ): Promise<HealthRecord>;
}

export class HealthWriteConflictError extends Error {
  override name = 'HealthWriteConflictError';
}

const PREFIX = 'HEALTH#';
const SK = 'HEALTH';
const healthKey = (endpointId: string): Item => ({ [PARTITION_KEY]: S(`${PREFIX}${endpointId}`), [SORT_KEY]: S(SK) });

/** Named conditions of the optimistic write. */
const conditions = {
  neverWritten: 'attribute_not_exists(#version)',
  versionUnchanged: '#version = :version',
} as const;

export function createHealthStore(table: Table): HealthStore {
  const readRaw = async (endpointId: string): Promise<Item | undefined> => {
    const result = await table.client.send(new GetItemCommand({ TableName: table.name, Key: healthKey(endpointId), ConsistentRead: true }));
    return result.Item;
  };

  return {
    async get(endpointId, now) {
      const item = await readRaw(endpointId);
      return item === undefined ? undefined : live(item, now);
    },

    async getMany(endpointIds, now) {
      const records: HealthRecord[] = [];
      const unique = [...new Set(endpointIds)];
      // BatchGetItem takes at most 100 keys.
      for (let start = 0; start < unique.length; start += 100) {
        let keys: Item[] | undefined = unique.slice(start, start + 100).map(healthKey);
        for (let round = 0; round < 3 && keys !== undefined && keys.length > 0; round++) {
          const result: BatchGetItemCommandOutput = await table.client.send(new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: keys } } }));
          for (const item of result.Responses?.[table.name] ?? []) {
            const record = live(item, now);
            if (record !== undefined) records.push(record);
          }
          // Throttled keys come back unprocessed; a cache can live without a few.
          keys = result.UnprocessedKeys?.[table.name]?.Keys;
        }
      }
      return records;
    },

    async update(endpointId, now, change, options) {
      for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
        const item = await readRaw(endpointId);
        const version = item === undefined ? undefined : versionOf(item);
        const next: HealthRecord = {
          ...change(item === undefined ? undefined : live(item, now)),
          endpointId,
          updatedAt: now,
          version: (version ?? 0) + 1,
        };
        try {
          await table.client.send(
            new PutItemCommand({
              TableName: table.name,
              Item: toItem(next),
              ConditionExpression: version === undefined ? conditions.neverWritten : conditions.versionUnchanged,
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: version === undefined ? undefined : { ':version': N(version) },
            }),
          );
          return next;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      throw new HealthWriteConflictError(`health record of ${endpointId} kept changing; gave up after ${options.maxAttempts} attempts`);
    },
  };
}

function versionOf(item: Item): number | undefined {
  const value = item.version?.N;
  return value === undefined ? undefined : Number(value);
}

const percentiles = z.object({ p50: z.number(), p75: z.number(), p90: z.number(), p99: z.number() });
const sample = z.object({ at: z.number(), value: z.number() });
const storedRecord = z
  .object({
    endpointId: z.string(),
    failures: z.array(z.number()).nullish(),
    degradedUntil: z.number().nullish(),
    lastFailureAt: z.number().nullish(),
    latencyMs: percentiles.nullish(),
    throughputTps: percentiles.nullish(),
    latencySamples: z.array(sample).nullish(),
    throughputSamples: z.array(sample).nullish(),
    updatedAt: z.number(),
    version: z.number(),
    [TTL_ATTRIBUTE]: z.number(),
  })
  .loose();

/** The record, unless it expired or is not one we can read. */
function live(item: Item, now: number): HealthRecord | undefined {
  const parsed = storedRecord.safeParse(plain({ M: item }));
  if (!parsed.success || isExpired(parsed.data.ttl, now)) return undefined;
  const data = parsed.data;
  return {
    endpointId: data.endpointId,
    failures: data.failures ?? [],
    degradedUntil: data.degradedUntil ?? undefined,
    lastFailureAt: data.lastFailureAt ?? undefined,
    latencyMs: data.latencyMs ?? undefined,
    throughputTps: data.throughputTps ?? undefined,
    latencySamples: data.latencySamples ?? [],
    throughputSamples: data.throughputSamples ?? [],
    updatedAt: data.updatedAt,
    version: data.version,
    ttl: data.ttl,
  };
}

function toItem(record: HealthRecord): Item {
  const item: Item = {
    ...healthKey(record.endpointId),
    type: S('health'),
    endpointId: S(record.endpointId),
    failures: { L: record.failures.map(N) },
    latencySamples: { L: record.latencySamples.map(sampleItem) },
    throughputSamples: { L: record.throughputSamples.map(sampleItem) },
    updatedAt: N(record.updatedAt),
    version: N(record.version),
    [TTL_ATTRIBUTE]: N(record.ttl),
  };
  if (record.degradedUntil !== undefined) item.degradedUntil = N(record.degradedUntil);
  if (record.lastFailureAt !== undefined) item.lastFailureAt = N(record.lastFailureAt);
  if (record.latencyMs !== undefined) item.latencyMs = percentilesItem(record.latencyMs);
  if (record.throughputTps !== undefined) item.throughputTps = percentilesItem(record.throughputTps);
  return item;
}

const sampleItem = (entry: HealthSample): AttributeValue => ({ M: { at: N(entry.at), value: N(entry.value) } });
const percentilesItem = (value: HealthPercentiles): AttributeValue => ({
  M: { p50: N(value.p50), p75: N(value.p75), p90: N(value.p90), p99: N(value.p99) },
});

/** An attribute value as plain data, for the schema to check. */
function plain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([key, entry]) => [key, plain(entry)]));
  return undefined;
}
