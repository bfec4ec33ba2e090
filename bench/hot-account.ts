// A hot account at internet scale, simulated: the real credit ledger
// (lib/billing/credit-ledger.ts, one ledger per Lambda execution environment,
// as the gateway builds one per container) on the real store writes
// (lib/store/accounts.ts, leases.ts, key-spend.ts) against an in-memory table
// (bench/fake-table.ts) that counts writes and write units per item per
// simulated second. Discrete time, 10 ms steps.
//
// What it models: requests arriving evenly at `rps` on one account and one
// key, each lasting `durationMs`; Lambda's routing as one request at a time
// per environment (an idle environment is reused, newest first, else a new
// one starts); an invocation's end settles its request and flushes its ledger,
// as the gateway's drain does. What it leaves out: network time (writes take
// no time, so no two writes race), DynamoDB's adaptive capacity and
// throttling (it counts what would be asked; the per-partition limit is
// applied when reading the counts), generation items and health writes
// (other items, not the account's).
//
// Variants: the ledger as deployed (`lambdaLeasePolicy`); the exact path
// only (no leases); flushing less often than every invocation's end (the
// gateway does not: modelled by skipping the drain's flush); and the balance
// split into shards, each its own account item with its share of the
// credits, an environment drawing on one shard — a design the store does not
// have yet, modelled here by giving each environment a key on its shard's
// account, the ledger unchanged.
import { createCreditLedger, defaultLeasePolicy, lambdaLeasePolicy, type CreditLedger, type LeasePolicy } from '../lib/billing/credit-ledger.ts';
import { addCredits, createAccount } from '../lib/store/accounts.ts';
import { putKey, type KeyRecord } from '../lib/store/keys.ts';
import { createFakeTable, type ItemTraffic } from './fake-table.ts';

export interface HotAccountScenario {
  name: string;
  label: string;
  policy: LeasePolicy;
  /** Account items the balance is split across (1: as the store keeps it). */
  shards: number;
  /** An environment flushes its ledger at an invocation's end only this long after its last flush (modelled; the gateway flushes at every end). */
  flushEveryMs?: number;
}

export const HOT_RPS = 5_000;
const STEP_MS = 10;
const WORST_CASE_MICROS = 13_500;
const CHARGE_MICROS = 10_000;

export const HOT_SCENARIOS: readonly HotAccountScenario[] = [
  { name: 'exact', label: 'exact path only (a hold per request)', policy: { ...defaultLeasePolicy, minWorstCases: Number.MAX_SAFE_INTEGER }, shards: 1 },
  { name: 'leases', label: 'leases as deployed (8 worst cases per environment), one account item', policy: lambdaLeasePolicy, shards: 1 },
  { name: 'leases-flush-10s', label: 'leases as deployed, one account item, each environment flushing at most every 10 s (modelled)', policy: lambdaLeasePolicy, shards: 1, flushEveryMs: 10_000 },
  { name: 'leases-64-shards', label: 'leases as deployed, the balance in 64 account items (modelled)', policy: lambdaLeasePolicy, shards: 64 },
  { name: 'leases-64-shards-flush-10s', label: 'the balance in 64 account items and each environment flushing at most every 10 s (both modelled)', policy: lambdaLeasePolicy, shards: 64, flushEveryMs: 10_000 },
];

export interface ItemSummary {
  item: string;
  meanWritesPerSecond: number;
  peakWritesPerSecond: number;
  meanWriteUnitsPerSecond: number;
  peakWriteUnitsPerSecond: number;
  peakReadsPerSecond: number;
  maxItemBytes: number;
}

export interface HotAccountRun {
  scenario: string;
  label: string;
  shards: number;
  rps: number;
  durationMs: number;
  simulatedSeconds: number;
  requests: number;
  admitted: number;
  failed: number;
  environments: number;
  /** Writes refused because an item would pass DynamoDB's 400 KB. */
  oversizedWrites: number;
  /** The busiest account item (shard) and the key item, over the steady seconds (the first ones, while environments start, left out). */
  accountItem: ItemSummary;
  keyItem: ItemSummary;
  accountWritesPerRequest: number;
}

interface Environment {
  ledger: CreditLedger;
  key: KeyRecord;
  flushedAt: number;
}

const baseKey = (accountId: string, hash: string): KeyRecord => ({
  hash,
  kind: 'inference',
  accountId,
  name: 'hot',
  label: 'sk-sy-v1-hot...',
  disabled: false,
  limitMicros: null,
  limitReset: null,
  expiresAt: null,
  createdAt: '',
  updatedAt: '',
  requestsPerMinute: null,
});

export async function simulateHotAccount(scenario: HotAccountScenario, options: { rps: number; durationMs: number; seconds: number }): Promise<HotAccountRun> {
  const clock = { ms: 1_800_000_000_000 };
  const start = clock.ms;
  const fake = createFakeTable(() => clock.ms - start);
  const { table } = fake;
  const hash = 'h'.repeat(64);
  const shardKeys: KeyRecord[] = [];
  for (let shard = 0; shard < scenario.shards; shard += 1) {
    const accountId = scenario.shards === 1 ? 'hot' : `hot~${shard}`;
    await createAccount(table, accountId, new Date(start).toISOString());
    // Enough that the balance never runs out: this is about write rates.
    await addCredits(table, accountId, Math.floor(1e13 / scenario.shards));
    shardKeys.push(baseKey(accountId, hash));
  }
  await putKey(table, baseKey('hot', hash));
  const idle: Environment[] = [];
  // Invocations by the step they end in.
  const ending = new Map<number, { environment: Environment; admission: Awaited<ReturnType<CreditLedger['admit']>> }[]>();
  const endAt = (at: number, entry: { environment: Environment; admission: Awaited<ReturnType<CreditLedger['admit']>> }): void => {
    const step = Math.ceil((at - start) / STEP_MS);
    const list = ending.get(step);
    if (list === undefined) ending.set(step, [entry]);
    else list.push(entry);
  };
  let environments = 0;
  let requests = 0;
  let admitted = 0;
  let failed = 0;
  const steps = (options.seconds * 1000) / STEP_MS;
  let owed = 0;
  for (let step = 0; step < steps; step += 1) {
    clock.ms = start + step * STEP_MS;
    // Invocations that end now: settle, then the drain's flush.
    const done = ending.get(step) ?? [];
    ending.delete(step);
    await Promise.all(
      done.map(async ({ environment, admission }) => {
        if (admission.ok) await environment.ledger.settle(admission.admission, CHARGE_MICROS);
        if (scenario.flushEveryMs === undefined || clock.ms - environment.flushedAt >= scenario.flushEveryMs) {
          environment.flushedAt = clock.ms;
          await environment.ledger.flush().catch(() => undefined);
        }
        idle.push(environment);
      }),
    );
    owed += (options.rps * STEP_MS) / 1000;
    const arriving = Math.floor(owed);
    owed -= arriving;
    const admissions: Promise<void>[] = [];
    for (let index = 0; index < arriving; index += 1) {
      let environment = idle.pop();
      if (environment === undefined) {
        const instance = environments;
        environments += 1;
        environment = {
          ledger: createCreditLedger({ table, now: () => clock.ms, holdTtlMs: 20 * 60_000, log: () => undefined, instanceId: `e${instance}`, policy: scenario.policy }),
          key: shardKeys[instance % shardKeys.length] as KeyRecord,
          flushedAt: clock.ms,
        };
      }
      const chosen = environment;
      requests += 1;
      const id = `g${requests}`;
      admissions.push(
        chosen.ledger.admit(chosen.key, id, WORST_CASE_MICROS).then(
          (admission) => {
            if (admission.ok) admitted += 1;
            else failed += 1;
            endAt(clock.ms + options.durationMs, { environment: chosen, admission });
          },
          () => {
            failed += 1;
            endAt(clock.ms + options.durationMs, { environment: chosen, admission: { ok: false, reason: 'credits' } });
          },
        ),
      );
    }
    await Promise.all(admissions);
  }
  const traffic = fake.traffic();
  // Steady state: from when the first environments have served a few requests.
  const firstSteady = Math.ceil((options.durationMs * 3) / 1000);
  const summarize = (pk: string): ItemSummary => {
    const seconds = [...(traffic.get(pk) ?? new Map<number, ItemTraffic>()).entries()].filter(([second]) => second >= firstSteady && second < options.seconds).map(([, entry]) => entry);
    const span = Math.max(1, options.seconds - firstSteady);
    const sum = (pick: (entry: ItemTraffic) => number) => seconds.reduce((total, entry) => total + pick(entry), 0);
    const peak = (pick: (entry: ItemTraffic) => number) => Math.max(0, ...seconds.map(pick));
    return {
      item: pk.split('|')[0] ?? pk,
      meanWritesPerSecond: sum((entry) => entry.writes) / span,
      peakWritesPerSecond: peak((entry) => entry.writes),
      meanWriteUnitsPerSecond: sum((entry) => entry.writeUnits) / span,
      peakWriteUnitsPerSecond: peak((entry) => entry.writeUnits),
      peakReadsPerSecond: peak((entry) => entry.reads),
      maxItemBytes: peak((entry) => entry.maxBytes),
    };
  };
  const accountItems = [...traffic.keys()].filter((pk) => pk.startsWith('ACCOUNT#')).map(summarize);
  const busiest = accountItems.sort((a, b) => b.meanWriteUnitsPerSecond - a.meanWriteUnitsPerSecond)[0] as ItemSummary;
  const keyItem = summarize([...traffic.keys()].find((pk) => pk.startsWith('KEY#')) ?? '');
  const steadyRequests = options.rps * Math.max(1, options.seconds - firstSteady);
  const accountWrites = accountItems.reduce((total, item) => total + item.meanWritesPerSecond, 0) * Math.max(1, options.seconds - firstSteady);
  return {
    scenario: scenario.name,
    label: scenario.label,
    shards: scenario.shards,
    rps: options.rps,
    durationMs: options.durationMs,
    simulatedSeconds: options.seconds,
    requests,
    admitted,
    failed,
    environments,
    oversizedWrites: fake.oversized(),
    accountItem: busiest,
    keyItem,
    accountWritesPerRequest: accountWrites / steadyRequests,
  };
}
