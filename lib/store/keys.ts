// API keys, stored only as their SHA-256 (DESIGN decision 3). The key item
// also carries what the key has spent: lib/store/key-spend.ts. An account's
// keys are listed through the listing index (lib/store/table.ts), never by a
// scan.
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type BatchGetItemCommandOutput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { LimitReset } from '../billing/periods.ts';
import { keyItemKey, keySpendFromItem, settleKeySpend, type KeySpend } from './key-spend.ts';
import { B, bool, isConditionFailure, N, num, orNull, S, str, type Item, type Table } from './dynamo.ts';
import { LISTING_INDEX } from './table.ts';

export type KeyKind = 'inference' | 'management';

export interface KeyRecord {
  /** SHA-256 of the key, lowercase hex: the key's id. */
  hash: string;
  kind: KeyKind;
  accountId: string;
  name: string;
  /** A masked form that is safe to show: `sk-sy-v1-0e6...1c96`. */
  label: string;
  disabled: boolean;
  /** Spending limit of this key in µ$, or null for none. */
  limitMicros: number | null;
  limitReset: LimitReset | null;
  /** ISO 8601; the key stops working after it. */
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Requests per minute this key may make, or null for no limit. */
  requestsPerMinute: number | null;
  /** Accepted for OpenRouter compatibility; Switchyard has no BYOK usage to count. */
  includeByokInLimit?: boolean;
}

/** Named conditions of the key item's writes: what each guarantees. */
const conditions = {
  /** A new key never overwrites another (a hash collision, or a retried put). */
  keyIsNew: 'attribute_not_exists(pk)',
  keyExists: 'attribute_exists(pk)',
} as const;

/** Where an account's keys are listed in the listing index. */
const keysListing = (accountId: string): string => `KEYS#${accountId}`;

/** The listing-index attributes of a key's item: in its account's list, oldest first (written at creation, and by the backfill). */
export const keyListing = (accountId: string, createdAt: string, hash: string): Item => ({
  [LISTING_INDEX.partitionKey]: S(keysListing(accountId)),
  [LISTING_INDEX.sortKey]: S(`${createdAt}#${hash}`),
});

export function keyFromItem(item: Item): KeyRecord | undefined {
  const hash = str(item, 'hash');
  const accountId = str(item, 'accountId');
  if (hash === undefined || accountId === undefined) return undefined;
  const kind = str(item, 'kind') === 'management' ? 'management' : 'inference';
  const reset = str(item, 'limitReset');
  return {
    hash,
    kind,
    accountId,
    name: str(item, 'name') ?? '',
    label: str(item, 'label') ?? '',
    disabled: bool(item, 'disabled') ?? false,
    limitMicros: num(item, 'limitMicros') ?? null,
    limitReset: reset === 'daily' || reset === 'weekly' || reset === 'monthly' ? reset : null,
    expiresAt: str(item, 'expiresAt') ?? null,
    createdAt: str(item, 'createdAt') ?? '',
    updatedAt: str(item, 'updatedAt') ?? '',
    requestsPerMinute: num(item, 'requestsPerMinute') ?? null,
    includeByokInLimit: bool(item, 'includeByokInLimit') ?? false,
  };
}

function keyToItem(record: KeyRecord): Item {
  return {
    ...keyItemKey(record.hash),
    ...keyListing(record.accountId, record.createdAt, record.hash),
    type: S('key'),
    hash: S(record.hash),
    kind: S(record.kind),
    accountId: S(record.accountId),
    name: S(record.name),
    label: S(record.label),
    disabled: B(record.disabled),
    limitMicros: record.limitMicros === null ? { NULL: true } : N(record.limitMicros),
    limitReset: orNull(record.limitReset),
    expiresAt: orNull(record.expiresAt),
    createdAt: S(record.createdAt),
    updatedAt: S(record.updatedAt),
    requestsPerMinute: record.requestsPerMinute === null ? { NULL: true } : N(record.requestsPerMinute),
    includeByokInLimit: B(record.includeByokInLimit ?? false),
  };
}

export async function getKey(table: Table, hash: string): Promise<KeyRecord | undefined> {
  const result = await table.client.send(
    new GetItemCommand({ TableName: table.name, Key: keyItemKey(hash), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : keyFromItem(result.Item);
}

/** Store a new key; fails if the hash exists (`conditions.keyIsNew`). */
export async function putKey(table: Table, record: KeyRecord): Promise<void> {
  await table.client.send(
    new PutItemCommand({
      TableName: table.name,
      Item: keyToItem(record),
      ConditionExpression: conditions.keyIsNew,
    }),
  );
}

export type KeyPatch = Partial<
  Pick<KeyRecord, 'name' | 'disabled' | 'limitMicros' | 'limitReset' | 'expiresAt' | 'requestsPerMinute' | 'includeByokInLimit'>
>;

/** Update fields of an existing key; undefined when there is no such key. */
export async function updateKey(table: Table, hash: string, patch: KeyPatch, now: string): Promise<KeyRecord | undefined> {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Item = { ':updatedAt': S(now) };
  const sets = ['#updatedAt = :updatedAt'];
  const fields: Item = keyToItem({
    hash,
    kind: 'inference',
    accountId: '',
    name: patch.name ?? '',
    label: '',
    disabled: patch.disabled ?? false,
    limitMicros: patch.limitMicros ?? null,
    limitReset: patch.limitReset ?? null,
    expiresAt: patch.expiresAt ?? null,
    createdAt: '',
    updatedAt: now,
    requestsPerMinute: patch.requestsPerMinute ?? null,
    includeByokInLimit: patch.includeByokInLimit ?? false,
  });
  for (const field of Object.keys(patch) as (keyof KeyPatch)[]) {
    if (patch[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = fields[field] as Item[string];
    sets.push(`#${field} = :${field}`);
  }
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: keyItemKey(hash),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.keyExists,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes === undefined ? undefined : keyFromItem(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export async function deleteKey(table: Table, hash: string): Promise<boolean> {
  try {
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.name,
        Key: keyItemKey(hash),
        ConditionExpression: conditions.keyExists,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A key record with what it has spent. */
export interface StoredKey {
  record: KeyRecord;
  spend: KeySpend;
}

export async function getStoredKey(table: Table, hash: string): Promise<StoredKey | undefined> {
  const result = await table.client.send(
    new GetItemCommand({ TableName: table.name, Key: keyItemKey(hash), ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : storedKeyFromItem(result.Item);
}

function storedKeyFromItem(item: Item): StoredKey | undefined {
  const record = keyFromItem(item);
  return record === undefined ? undefined : { record, spend: keySpendFromItem(item) };
}

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;
/** Rounds of retrying keys a throttled BatchGetItem left unprocessed, before giving up. */
const BATCH_GET_ROUNDS = 5;

/**
 * Every key of an account, oldest first: the account's list in the listing
 * index (keys only), then the items themselves with consistent reads. Reads
 * twice the account's keys, whatever else the table holds. Management
 * traffic and the reclaim sweep only, never the request path. The index is
 * eventually consistent: a key created a moment ago may be missing.
 */
export async function listStoredKeys(table: Table, accountId: string): Promise<StoredKey[]> {
  const itemKeys: Item[] = [];
  let start: Item | undefined;
  do {
    const page: QueryCommandOutput = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: LISTING_INDEX.name,
        KeyConditionExpression: '#listing = :keys',
        ExpressionAttributeNames: { '#listing': LISTING_INDEX.partitionKey },
        ExpressionAttributeValues: { ':keys': S(keysListing(accountId)) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const hash = str(item, 'pk')?.slice('KEY#'.length);
      if (hash !== undefined) itemKeys.push(keyItemKey(hash));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  const keys: StoredKey[] = [];
  for (let first = 0; first < itemKeys.length; first += BATCH_GET_LIMIT) {
    let pending: Item[] | undefined = itemKeys.slice(first, first + BATCH_GET_LIMIT);
    for (let round = 0; pending !== undefined && pending.length > 0; round += 1) {
      if (round === BATCH_GET_ROUNDS) throw new Error(`listing the keys of ${accountId}: ${pending.length} keys stayed unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
      const result: BatchGetItemCommandOutput = await table.client.send(
        new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table.name] ?? []) {
        const stored = storedKeyFromItem(item);
        // A key moved to another account since it was listed (never done today) is not this account's.
        if (stored !== undefined && stored.record.accountId === accountId) keys.push(stored);
      }
      pending = result.UnprocessedKeys?.[table.name]?.Keys;
    }
  }
  return keys.sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt) || a.record.hash.localeCompare(b.record.hash));
}

export async function listKeys(table: Table, accountId: string): Promise<KeyRecord[]> {
  return (await listStoredKeys(table, accountId)).map((stored) => stored.record);
}

/**
 * Release expired holds left on the keys of an account without an account
 * hold pointing at them (a crash between the two reservations, or a
 * settlement that failed on the key only): the reclaim sweep. Returns how
 * many were released.
 */
export async function reclaimExpiredKeyHolds(table: Table, accountId: string, now: number): Promise<number> {
  let reclaimed = 0;
  for (const stored of await listStoredKeys(table, accountId)) reclaimed += await reclaimStoredKeyHolds(table, stored, now);
  return reclaimed;
}

/** The same for one key, by its hash: one item read (a request about to be refused). */
export async function reclaimExpiredHoldsOfKey(table: Table, hash: string, now: number): Promise<number> {
  const stored = await getStoredKey(table, hash);
  return stored === undefined ? 0 : reclaimStoredKeyHolds(table, stored, now);
}

async function reclaimStoredKeyHolds(table: Table, { record, spend }: StoredKey, now: number): Promise<number> {
  let reclaimed = 0;
  for (const hold of spend.holds) {
    if (hold.expiresAt > now) continue;
    if (await settleKeySpend(table, { hash: record.hash, ...hold.periods }, hold.id, hold.amountMicros, 0)) reclaimed += 1;
  }
  return reclaimed;
}
