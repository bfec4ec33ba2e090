// API keys, stored only as their SHA-256 (DESIGN decision 3). The key item
// also carries what the key has spent, so a key's limit is held exactly as
// an account's balance is: one conditional write per reservation, one per
// settlement (DESIGN decision 5).
import { DeleteItemCommand, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { pastPeriods, type PeriodIds } from '../billing/periods.ts';
import { B, bool, isConditionFailure, N, num, orNull, S, str, type Item, type Table } from './dynamo.ts';

export type KeyKind = 'inference' | 'management';
export type LimitReset = 'daily' | 'weekly' | 'monthly';

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

const keyPk = (hash: string): string => `KEY#${hash}`;
const SK = 'KEY';

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
    pk: S(keyPk(record.hash)),
    sk: S(SK),
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
    new GetItemCommand({ TableName: table.name, Key: { pk: S(keyPk(hash)), sk: S(SK) }, ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : keyFromItem(result.Item);
}

/** Store a new key; fails if the hash exists (`keyIsNew`). */
export async function putKey(table: Table, record: KeyRecord): Promise<void> {
  await table.client.send(
    new PutItemCommand({
      TableName: table.name,
      Item: keyToItem(record),
      ConditionExpression: 'attribute_not_exists(pk)',
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
        Key: { pk: S(keyPk(hash)), sk: S(SK) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
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
        Key: { pk: S(keyPk(hash)), sk: S(SK) },
        ConditionExpression: 'attribute_exists(pk)',
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
    new GetItemCommand({ TableName: table.name, Key: { pk: S(keyPk(hash)), sk: S(SK) }, ConsistentRead: true }),
  );
  return result.Item === undefined ? undefined : storedKeyFromItem(result.Item);
}

function storedKeyFromItem(item: Item): StoredKey | undefined {
  const record = keyFromItem(item);
  return record === undefined ? undefined : { record, spend: keySpendFromItem(item) };
}

/** Every key of an account, oldest first (a scan: management traffic only, never the hot path). */
export async function listStoredKeys(table: Table, accountId: string): Promise<StoredKey[]> {
  const keys: StoredKey[] = [];
  let start: Item | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#type = :key AND accountId = :account',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':key': S('key'), ':account': S(accountId) },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const stored = storedKeyFromItem(item);
      if (stored !== undefined) keys.push(stored);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return keys.sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt) || a.record.hash.localeCompare(b.record.hash));
}

export async function listKeys(table: Table, accountId: string): Promise<KeyRecord[]> {
  return (await listStoredKeys(table, accountId)).map((stored) => stored.record);
}

// ---- What a key has spent --------------------------------------------------
//
// Counters named by period (`used:day:2026-08-22`, `used:week:2026-08-17`,
// `used:month:2026-08`, `used:total`) hold spent + held µ$; a new period is a
// new attribute, so nothing ever resets. Every open reservation is a
// top-level attribute `hold:<generation id>` (top-level so a key item written
// before holds existed needs no map to be created first).

export type SpendPeriod = 'day' | 'week' | 'month' | 'total';

/** Where a reservation sits on a key: the key and the periods it counts in. */
export interface KeyHoldRef extends PeriodIds {
  hash: string;
}

export interface KeyHold {
  id: string;
  amountMicros: number;
  /** Epoch ms after which the hold may be reclaimed. */
  expiresAt: number;
  periods: PeriodIds;
}

export interface KeySpend {
  /** Spent + held, µ$, by counter name. */
  counters: ReadonlyMap<string, number>;
  holds: KeyHold[];
}

const HOLD_PREFIX = 'hold:';
const USED_PREFIX = 'used:';

export function counterName(period: SpendPeriod, periods: PeriodIds): string {
  return period === 'total' ? `${USED_PREFIX}total` : `${USED_PREFIX}${period}:${periods[period]}`;
}

export function keySpendFromItem(item: Item): KeySpend {
  const counters = new Map<string, number>();
  const holds: KeyHold[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(USED_PREFIX) && value.N !== undefined) counters.set(name, Number(value.N));
    const hold = value.M;
    if (name.startsWith(HOLD_PREFIX) && hold !== undefined) {
      holds.push({
        id: name.slice(HOLD_PREFIX.length),
        amountMicros: num(hold, 'a') ?? 0,
        expiresAt: num(hold, 'x') ?? 0,
        periods: { day: str(hold, 'd') ?? '', week: str(hold, 'w') ?? '', month: str(hold, 'm') ?? '' },
      });
    }
  }
  return { counters, holds };
}

/** µ$ spent in a period: settled charges only (`held` says how much is in flight). */
export function spentIn(spend: KeySpend, period: SpendPeriod, periods: PeriodIds): { usedMicros: number; heldMicros: number; spentMicros: number } {
  const usedMicros = spend.counters.get(counterName(period, periods)) ?? 0;
  const heldMicros = spend.holds
    .filter((hold) => period === 'total' || hold.periods[period] === periods[period])
    .reduce((sum, hold) => sum + hold.amountMicros, 0);
  return { usedMicros, heldMicros, spentMicros: usedMicros - heldMicros };
}

const PERIODS: readonly Exclude<SpendPeriod, 'total'>[] = ['day', 'week', 'month'];

function counterNames(ref: PeriodIds): Record<string, string> {
  const names: Record<string, string> = { '#total': counterName('total', ref) };
  for (const period of PERIODS) names[`#${period}`] = counterName(period, ref);
  return names;
}

const ADD_TO_COUNTERS = (value: string): string => `ADD #total ${value}, #day ${value}, #week ${value}, #month ${value}`;

/** A limit to check while reserving: the counter of `period` may reach at most `ceilingMicros` before this hold. */
export interface KeyLimitCheck {
  period: SpendPeriod;
  /** The key's limit minus the amount to hold; negative when the hold alone exceeds the limit. */
  ceilingMicros: number;
}

/**
 * Hold `amountMicros` on the key for generation `hold.id`: one conditional
 * write that fails when the key is gone or, with a limit, when what the
 * period has used leaves too little (`keyLimitCovers`).
 */
export async function reserveKeySpend(
  table: Table,
  ref: KeyHoldRef,
  hold: { id: string; amountMicros: number; expiresAt: number },
  limit: KeyLimitCheck | undefined,
): Promise<boolean> {
  if (limit !== undefined && limit.ceilingMicros < 0) return false;
  const names: Record<string, string> = { ...counterNames(ref), '#hold': HOLD_PREFIX + hold.id };
  const values: Item = {
    ':amount': N(hold.amountMicros),
    ':hold': { M: { a: N(hold.amountMicros), x: N(hold.expiresAt), d: S(ref.day), w: S(ref.week), m: S(ref.month) } },
  };
  let condition = 'attribute_exists(pk) AND attribute_not_exists(#hold)';
  if (limit !== undefined) {
    names['#limited'] = counterName(limit.period, ref);
    values[':ceiling'] = N(limit.ceilingMicros);
    condition += ' AND (attribute_not_exists(#limited) OR #limited <= :ceiling)';
  }
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: { pk: S(keyPk(ref.hash)), sk: S(SK) },
        UpdateExpression: `${ADD_TO_COUNTERS(':amount')} SET #hold = :hold`,
        ConditionExpression: condition,
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

/**
 * Turn the key's hold into a charge of `chargeMicros` (at most the hold).
 * Idempotent per hold (`notYetSettled`): false when it was settled already,
 * never made, or the key is gone. Counters of long-past periods are dropped
 * on the way (a hold lives minutes, so nothing open can count in them).
 */
export async function settleKeySpend(table: Table, ref: KeyHoldRef, holdId: string, amountMicros: number, chargeMicros: number): Promise<boolean> {
  const charge = Math.min(Math.max(0, chargeMicros), amountMicros);
  const names: Record<string, string> = { ...counterNames(ref), '#hold': HOLD_PREFIX + holdId };
  const current = new Set(Object.values(names));
  const stale = new Set<string>();
  for (const past of pastPeriods(Date.parse(`${ref.day}T00:00:00Z`), 2, 5)) {
    for (const period of PERIODS) stale.add(counterName(period, past));
  }
  const removals = [...stale].filter((name) => !current.has(name));
  removals.forEach((name, index) => (names[`#stale${index}`] = name));
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: { pk: S(keyPk(ref.hash)), sk: S(SK) },
        UpdateExpression: `${ADD_TO_COUNTERS(':delta')} REMOVE ${['#hold', ...removals.map((_, index) => `#stale${index}`)].join(', ')}`,
        ConditionExpression: '#hold.a = :amount',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':delta': N(charge - amountMicros), ':amount': N(amountMicros) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Add `micros` to a key's spend counters without a hold: charges admitted
 * against an account lease (lib/billing/credit-ledger.ts), for keys without a
 * limit of their own. A report, not a limit: one try, no retry.
 */
export async function addKeySpend(table: Table, ref: KeyHoldRef, micros: number): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: { pk: S(keyPk(ref.hash)), sk: S(SK) },
        UpdateExpression: ADD_TO_COUNTERS(':amount'),
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: counterNames(ref),
        ExpressionAttributeValues: { ':amount': N(micros) },
      }),
    );
  } catch (error) {
    // A key deleted since: nothing to report on.
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Release expired holds left on the keys of an account without an account
 * hold pointing at them (a crash between the two reservations, or a
 * settlement that failed on the key only). Returns how many were released.
 */
export async function reclaimExpiredKeyHolds(table: Table, accountId: string, now: number): Promise<number> {
  let reclaimed = 0;
  for (const { record, spend } of await listStoredKeys(table, accountId)) {
    for (const hold of spend.holds) {
      if (hold.expiresAt > now) continue;
      if (await settleKeySpend(table, { hash: record.hash, ...hold.periods }, hold.id, hold.amountMicros, 0)) reclaimed += 1;
    }
  }
  return reclaimed;
}
