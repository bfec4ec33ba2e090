// The reclaim sweep as a scheduled Lambda handler, built from its
// dependencies so tests can run it against dynalite without the bundle.
import { reclaimAllExpiredHolds, type ReclaimSummary } from '../../lib/billing/reclaim.ts';
import type { Table } from '../../lib/store/dynamo.ts';

export interface ReclaimHandlerDependencies {
  table: Table;
  /** Epoch ms. */
  now: () => number;
  log: (entry: Record<string, unknown>) => void;
  /** Publishes the run's metrics (and waits for its log lines), failed run or not. */
  publish?: (summary: ReclaimSummary) => Promise<void>;
}

export function createReclaimHandler(deps: ReclaimHandlerDependencies): () => Promise<ReclaimSummary> {
  return async () => {
    const started = deps.now();
    const summary = await reclaimAllExpiredHolds(deps.table, started, {
      onError: (accountId, error) => deps.log({ level: 'error', message: 'reclaim failed for an account', account: accountId, error: String(error) }),
    });
    const level = summary.failed > 0 ? 'error' : 'info';
    deps.log({ level, message: 'reclaim finished', ...summary, durationMs: deps.now() - started });
    await deps.publish?.(summary);
    // A failed invocation shows in the function's Errors metric; the schedule
    // does not retry it, the next run is minutes away and tries again.
    if (summary.failed > 0) throw new Error(`reclaim failed for ${summary.failed} of ${summary.accounts} accounts`);
    return summary;
  };
}
