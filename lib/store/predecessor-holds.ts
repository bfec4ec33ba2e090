// Holds a gateway left behind when it died without settling them (SIGKILL, a
// crash, the machine going down): every account hold (request holds and
// leases) and every key hold, returned to its balance and key at once instead
// of at the end of its TTL (DESIGN decision 14). For a store that only the
// caller's own, dead, predecessor wrote to: local mode's data folder, which
// one gateway uses at a time (its DynamoDB stand-in locks the folder). On AWS
// the reclaim sweep returns holds once they expire (lib/billing/reclaim.ts).
//
// Nothing is charged: what a lease had charged locally and not yet moved to
// `spent` is lost in the customer's favour (credit-ledger.ts, "loss bound"),
// and the ledger never moves a charge before its generation record is
// written, so every charge that did reach the store has its record.
import { getAccount, listAccountIds, settleHold } from './accounts.ts';
import type { Table } from './dynamo.ts';
import { settleKeySpend } from './key-spend.ts';
import { listStoredKeys } from './keys.ts';

export interface ReleasedHolds {
  /** Account holds returned (request holds and leases). */
  accountHolds: number;
  /** Key holds returned that no account hold pointed at any more. */
  keyHolds: number;
  /** What the account holds held, µ$, back in `available`. */
  micros: number;
}

/** Release every hold in the store, on every account and key, charging nothing. */
export async function releaseEveryHold(table: Table): Promise<ReleasedHolds> {
  const released: ReleasedHolds = { accountHolds: 0, keyHolds: 0, micros: 0 };
  for (const accountId of await listAccountIds(table)) {
    const account = await getAccount(table, accountId);
    for (const hold of account?.holds ?? []) {
      // Settling at zero moves the key's hold too (the account hold points at it).
      const result = await settleHold(table, accountId, hold, 0);
      if (!result.settled) continue;
      released.accountHolds += 1;
      released.micros += hold.amountMicros;
    }
    // Key holds left without an account hold (a reservation cut between its two writes).
    for (const { record, spend } of await listStoredKeys(table, accountId)) {
      for (const hold of spend.holds) {
        if (await settleKeySpend(table, { hash: record.hash, ...hold.periods }, hold.id, hold.amountMicros, 0)) released.keyHolds += 1;
      }
    }
  }
  return released;
}
