// Reserve, then settle (DESIGN decision 5): before any upstream call a
// request holds its worst-case cost twice, on its account (the balance) and
// on its key (the key's limit, and its usage report), each with one
// conditional single-item write. Settlement (`settleHold`) moves both, once.
// This is the exact path; lib/billing/credit-ledger.ts decides when a lease
// may stand in for it (never for a key with a limit, never near the balance).
import { reserveCredits, settleHold, type Hold } from '../store/accounts.ts';
import type { LimitReset } from './periods.ts';
import type { KeyRecord } from '../store/keys.ts';
import { reserveKeySpend, settleKeySpend, type KeyHoldRef, type SpendPeriod } from '../store/key-spend.ts';
import type { Table } from '../store/dynamo.ts';
import { periodsAt } from './periods.ts';

export type Reservation =
  /** `availableMicros`: what the account had left after this hold. */
  | { ok: true; hold: Hold; availableMicros: number }
  | { ok: false; reason: 'credits' }
  | { ok: false; reason: 'key-limit' };

export interface ReservationRequest {
  key: KeyRecord;
  /** The generation id: settlement is idempotent per id. */
  holdId: string;
  amountMicros: number;
  now: number;
  ttlMs: number;
}

/** The spend counter a key's limit applies to. */
export function limitPeriod(reset: LimitReset | null): SpendPeriod {
  switch (reset) {
    case 'daily':
      return 'day';
    case 'weekly':
      return 'week';
    case 'monthly':
      return 'month';
    case null:
      return 'total';
  }
}

export async function reserveForRequest(table: Table, request: ReservationRequest): Promise<Reservation> {
  const { key, amountMicros } = request;
  const ref: KeyHoldRef = { hash: key.hash, ...periodsAt(request.now) };
  const hold: Hold = { id: request.holdId, amountMicros, expiresAt: request.now + request.ttlMs, key: ref };
  const limit = key.limitMicros === null ? undefined : { period: limitPeriod(key.limitReset), ceilingMicros: key.limitMicros - amountMicros };
  // Two items, two independent writes: made together to keep the latency of one.
  const [onAccount, onKey] = await Promise.allSettled([
    reserveCredits(table, key.accountId, hold),
    reserveKeySpend(table, ref, hold, limit),
  ]);
  const accountHeld = onAccount.status === 'fulfilled' && onAccount.value.ok;
  const keyHeld = onKey.status === 'fulfilled' && onKey.value;
  // A release that fails leaves a hold that expires and is reclaimed: the refusal still stands.
  const releaseAccount = (): Promise<unknown> => settleHold(table, key.accountId, { ...hold, key: undefined }, 0).catch(() => undefined);
  const releaseKey = (): Promise<unknown> => settleKeySpend(table, ref, hold.id, amountMicros, 0).catch(() => undefined);

  if (onAccount.status === 'rejected' || onKey.status === 'rejected') {
    await Promise.allSettled([accountHeld ? releaseAccount() : undefined, keyHeld ? releaseKey() : undefined]);
    throw onAccount.status === 'rejected' ? onAccount.reason : (onKey as PromiseRejectedResult).reason;
  }
  // The key's own limit is the more specific refusal: more credits would not help.
  if (!keyHeld && limit !== undefined) {
    if (accountHeld) await releaseAccount();
    return { ok: false, reason: 'key-limit' };
  }
  if (!accountHeld) {
    if (keyHeld) await releaseKey();
    return { ok: false, reason: 'credits' };
  }
  // An unlimited key deleted since it was cached holds nothing; the account's hold still stands.
  return { ok: true, hold, availableMicros: onAccount.value.ok ? onAccount.value.availableMicros : 0 };
}
