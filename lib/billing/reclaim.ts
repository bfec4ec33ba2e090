// The sweep that returns abandoned credit holds to their accounts (DESIGN
// decision 5: a reservation that is never settled expires and is reclaimed).
// Local mode runs it every minute, the reclaim function on AWS on a schedule;
// the gateway also reclaims one account's holds when they would refuse a
// request (lib/pipeline/admit.ts).
import { listAccountIds, reclaimExpiredHolds } from '../store/accounts.ts';
import type { Table } from '../store/dynamo.ts';
import { reclaimExpiredKeyHolds } from '../store/keys.ts';

export interface ReclaimSummary {
  /** Accounts looked at. */
  accounts: number;
  /** Account holds returned to their balance. */
  reclaimed: number;
  /** Accounts whose reclaim failed; the next sweep tries them again. */
  failed: number;
}

export interface ReclaimOptions {
  /** Told about each account that failed, so one bad account does not stop the rest. */
  onError?: (accountId: string, error: unknown) => void;
}

/**
 * Reclaim every hold, on every account and key, that expired before `now`
 * (epoch ms). Accounts and their keys come from the listing index: the sweep
 * reads each account's item and keys, never the generations beside them.
 */
export async function reclaimAllExpiredHolds(table: Table, now: number, options: ReclaimOptions = {}): Promise<ReclaimSummary> {
  const summary: ReclaimSummary = { accounts: 0, reclaimed: 0, failed: 0 };
  for (const accountId of await listAccountIds(table)) {
    summary.accounts += 1;
    try {
      summary.reclaimed += await reclaimExpiredHolds(table, accountId, now);
      await reclaimExpiredKeyHolds(table, accountId, now);
    } catch (error) {
      summary.failed += 1;
      options.onError?.(accountId, error);
    }
  }
  return summary;
}
