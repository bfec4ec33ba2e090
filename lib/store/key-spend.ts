// What a key has spent, on the key item itself, so a key's limit is held
// exactly as an account's balance is (DESIGN decision 5).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { pastPeriods, type PeriodIds } from '../billing/periods.ts';
import { isConditionFailure, N, S, type Item, type Table } from './dynamo.ts';
import { decodeHold, encodeHold } from './holds.ts';

/** The primary key of a key's item. */
export const keyItemKey = (hash: string): Item => ({ pk: S(`KEY#${hash}`), sk: S('KEY') });

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

/** Named conditions of the key item's spend writes: what each guarantees. */
const conditions = {
  /** The key still exists, and this generation holds nothing on it yet (a retry never holds twice). */
  keyHoldIsNew: 'attribute_exists(pk) AND attribute_not_exists(#hold)',
  /** The period's counter leaves room for the hold under the key's limit. */
  keyLimitCovers: '(attribute_not_exists(#limited) OR #limited <= :ceiling)',
  /** The hold is still there with its amount: a settlement applies once. */
  notYetSettled: '#hold.a = :amount',
  keyExists: 'attribute_exists(pk)',
} as const;

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
      const { amountMicros, expiresAt, periods } = decodeHold(hold);
      holds.push({ id: name.slice(HOLD_PREFIX.length), amountMicros, expiresAt, periods });
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
 * period has used leaves too little (`conditions.keyLimitCovers`).
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
    ':hold': { M: encodeHold({ amountMicros: hold.amountMicros, expiresAt: hold.expiresAt, periods: ref }) },
  };
  let condition: string = conditions.keyHoldIsNew;
  if (limit !== undefined) {
    names['#limited'] = counterName(limit.period, ref);
    values[':ceiling'] = N(limit.ceilingMicros);
    condition += ` AND ${conditions.keyLimitCovers}`;
  }
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: keyItemKey(ref.hash),
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
 * Idempotent per hold (`conditions.notYetSettled`): false when it was settled already,
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
        Key: keyItemKey(ref.hash),
        UpdateExpression: `${ADD_TO_COUNTERS(':delta')} REMOVE ${['#hold', ...removals.map((_, index) => `#stale${index}`)].join(', ')}`,
        ConditionExpression: conditions.notYetSettled,
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
        Key: keyItemKey(ref.hash),
        UpdateExpression: ADD_TO_COUNTERS(':amount'),
        ConditionExpression: conditions.keyExists,
        ExpressionAttributeNames: counterNames(ref),
        ExpressionAttributeValues: { ':amount': N(micros) },
      }),
    );
  } catch (error) {
    // A key deleted since: nothing to report on.
    if (!isConditionFailure(error)) throw error;
  }
}
