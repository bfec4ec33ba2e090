// What the soak (../soak.ts) asks local mode's process beyond ipc.ts's
// queries: `handles` (the event loop's active handles and requests, the
// leak a heap figure does not show), and `soak-ledger` at the end: a
// graceful shutdown, then the account read back from the store with the
// DynamoDB stand-in alone, and the usage records' charges summed.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startLocalDynamo } from '../../cli/local-dynamo.ts';
import { getAccount } from '../../lib/store/accounts.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';

export interface SoakLedger {
  type: 'soak-ledger';
  creditsMicros: number;
  spentMicros: number;
  availableMicros: number;
  holds: number;
  heldMicros: number;
  /** Over every usage record the run wrote. */
  records: number;
  recordedCostMicros: number;
  byStatus: Record<string, number>;
  fallbacks: number;
  cancelled: number;
  /** What the graceful shutdown found in flight. */
  shutdown: { inFlight: number; cut: number; forced: number };
}

export function answerSoakQueries(gateway: LocalGateway, dataDir: string): void {
  process.on('message', (message: unknown) => {
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type === 'handles') process.send?.({ type, count: process.getActiveResourcesInfo().length });
    if (type === 'soak-ledger') {
      void soakLedger(gateway, dataDir).then(
        (ledger) => process.send?.(ledger),
        (error: unknown) => process.send?.({ type, error: String(error) }),
      );
    }
  });
}

async function soakLedger(gateway: LocalGateway, dataDir: string): Promise<SoakLedger> {
  const accountId = gateway.keys.accountId;
  const shutdown = await gateway.shutdown();
  const dynamo = await startLocalDynamo(path.join(dataDir, 'dynamodb'));
  const account = await getAccount({ client: dynamo.client, name: dynamo.tableName }, accountId).finally(() => dynamo.close());
  if (account === undefined) throw new Error('the account is gone');
  const ledger: SoakLedger = {
    type: 'soak-ledger',
    creditsMicros: account.creditsMicros,
    spentMicros: account.spentMicros,
    availableMicros: account.availableMicros,
    holds: account.holds.length,
    heldMicros: account.holds.reduce((sum, hold) => sum + hold.amountMicros, 0),
    records: 0,
    recordedCostMicros: 0,
    byStatus: {},
    fallbacks: 0,
    cancelled: 0,
    shutdown,
  };
  for (const file of await usageFiles(path.join(dataDir, 'usage'))) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as UsageRecord;
      ledger.records += 1;
      ledger.recordedCostMicros += record.cost_micros;
      ledger.byStatus[String(record.status)] = (ledger.byStatus[String(record.status)] ?? 0) + 1;
      if (record.fallback) ledger.fallbacks += 1;
      if (record.cancelled) ledger.cancelled += 1;
    }
  }
  return ledger;
}

async function usageFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await usageFiles(full)));
    else if (entry.name.endsWith('.jsonl')) files.push(full);
  }
  return files;
}
