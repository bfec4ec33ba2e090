// How a credit hold is written, once for both places it lives: an account's
// holds are entries of the account item's `holds` map (lib/store/accounts.ts),
// a key's are top-level `hold:<generation id>` attributes of the key item
// (lib/store/key-spend.ts). Short attribute names, because every open hold
// is read with its item on every reservation.
import type { PeriodIds } from '../billing/periods.ts';
import { N, num, S, str, type Item } from './dynamo.ts';

export interface HoldFields {
  amountMicros: number;
  /** Epoch ms after which the hold may be reclaimed. */
  expiresAt: number;
  /** The spend periods the hold counts in on its key. */
  periods?: PeriodIds | undefined;
  /** On an account's hold: the key holding the same amount. */
  keyHash?: string | undefined;
}

export function encodeHold(fields: HoldFields): Item {
  const entry: Item = { a: N(fields.amountMicros), x: N(fields.expiresAt) };
  if (fields.keyHash !== undefined) entry.k = S(fields.keyHash);
  if (fields.periods !== undefined) Object.assign(entry, { d: S(fields.periods.day), w: S(fields.periods.week), m: S(fields.periods.month) });
  return entry;
}

export function decodeHold(entry: Item): Required<Pick<HoldFields, 'amountMicros' | 'expiresAt' | 'periods'>> & Pick<HoldFields, 'keyHash'> {
  return {
    amountMicros: num(entry, 'a') ?? 0,
    expiresAt: num(entry, 'x') ?? 0,
    periods: { day: str(entry, 'd') ?? '', week: str(entry, 'w') ?? '', month: str(entry, 'm') ?? '' },
    keyHash: str(entry, 'k'),
  };
}
