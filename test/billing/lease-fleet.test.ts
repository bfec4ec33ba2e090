// Many instances on one balance, as a Lambda fleet runs (one request at a time
// per execution environment, each with its own ledger): leases sized by what
// an instance can use leave the balance free for the others, a lease that
// cannot take the next request gives its remainder back, and an idle lease is
// returned. Real DynamoDB API on dynalite; the instances share one table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditLedger, defaultLeasePolicy, lambdaLeasePolicy, type Admission, type CreditLedger, type LeasePolicy } from '../../lib/billing/credit-ledger.ts';
import { addCredits, createAccount, getAccount } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { putKey, type KeyRecord } from '../../lib/store/keys.ts';
import { createTable, startDynamo, type TestDynamo } from '../support/dynalite.ts';

const WORST_CASE = 1_000;
const INSTANCES = 50;

let dynamo: TestDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const key: KeyRecord = {
  hash: 'b'.repeat(64),
  kind: 'inference',
  accountId: 'fleet',
  name: 'k',
  label: 'sk-sy-v1-bbb...bbbb',
  disabled: false,
  limitMicros: null,
  limitReset: null,
  expiresAt: null,
  createdAt: '',
  updatedAt: '',
  requestsPerMinute: null,
};

async function fleet(credits: number, instances: number, policy: LeasePolicy) {
  const table: Table = { client: dynamo.client, name: `fleet-${(tables += 1)}` };
  await createTable(dynamo.client, table.name);
  await createAccount(table, 'fleet', new Date().toISOString());
  await addCredits(table, 'fleet', credits);
  await putKey(table, key);
  const clock = { ms: 1_800_000_000_000 };
  const ledgers: CreditLedger[] = Array.from({ length: instances }, (_, index) =>
    createCreditLedger({ table, now: () => clock.ms, holdTtlMs: 20 * 60_000, log: () => undefined, instanceId: `i${index}`, policy }),
  );
  return { table, clock, ledgers, account: async () => (await getAccount(table, 'fleet'))! };
}

/**
 * One round: every instance admits one request (all in flight at once), then
 * each settles it at its worst case and flushes, as an invocation's end does.
 */
async function round(ledgers: CreditLedger[], id: string): Promise<{ admitted: number; refused: number }> {
  const results = await Promise.all(ledgers.map((ledger, index) => ledger.admit(key, `${id}-${index}`, WORST_CASE)));
  await Promise.all(
    results.map(async (result, index) => {
      if (!result.ok) return;
      await ledgers[index]!.settle(result.admission, WORST_CASE);
      await ledgers[index]!.flush();
    }),
  );
  const admitted = results.filter((result) => result.ok).length;
  return { admitted, refused: results.length - admitted };
}

describe('a fleet of instances on one balance', () => {
  it('refuses nothing while the balance covers ten times what is in flight, and admits to within one worst case of empty', async () => {
    const credits = 700 * WORST_CASE;
    const { ledgers, account } = await fleet(credits, INSTANCES, lambdaLeasePolicy);
    let charged = 0;
    let refusedRounds = 0;
    for (let index = 0; index < 40 && refusedRounds < 3; index += 1) {
      const left = credits - charged;
      const { admitted, refused } = await round(ledgers, `r${index}`);
      // Ten times the worst case of the fifty requests in flight is 500 worst cases.
      if (left >= 10 * INSTANCES * WORST_CASE) expect(refused).toBe(0);
      charged += admitted * WORST_CASE;
      if (refused === INSTANCES) refusedRounds += 1;
    }
    expect(refusedRounds).toBe(3);
    await Promise.all(ledgers.map((ledger) => ledger.flush()));
    const books = await account();
    // No overspend: every charge was covered, and the store's books balance.
    expect(charged).toBeLessThanOrEqual(credits);
    expect(books.spentMicros).toBe(charged);
    expect(books.availableMicros).toBeGreaterThanOrEqual(0);
    const held = books.holds.reduce((sum, hold) => sum + hold.amountMicros, 0);
    expect(books.availableMicros + held + books.spentMicros).toBe(credits);
    // Everyone is refused only once less than one worst case is left.
    expect(credits - charged).toBeLessThan(WORST_CASE);
  });

  it('takes leases of eight worst cases for an instance that serves one request at a time', async () => {
    const { ledgers, account } = await fleet(10_000 * WORST_CASE, 3, lambdaLeasePolicy);
    for (let index = 0; index < 3; index += 1) await round(ledgers, `warm${index}`);
    const leases = (await account()).holds.filter((hold) => hold.id.startsWith('lease-'));
    expect(leases).toHaveLength(3);
    // Eight worst cases each, less what was charged on it since.
    for (const lease of leases) expect(lease.amountMicros).toBeLessThanOrEqual(8 * WORST_CASE);
  });

  it('gives a lease back as soon as it cannot take the next request', async () => {
    const { ledgers, account } = await fleet(10_000 * WORST_CASE, 1, lambdaLeasePolicy);
    const [ledger] = ledgers as [CreditLedger];
    const admit = async (id: string, amount: number): Promise<Admission> => {
      const result = await ledger.admit(key, id, amount);
      if (!result.ok) throw new Error('refused');
      return result.admission;
    };
    await ledger.settle(await admit('first', WORST_CASE), 0);
    const leased = await admit('on-lease', WORST_CASE);
    expect(leased.kind).toBe('lease');
    const leaseId = leased.kind === 'lease' ? leased.lease.id : '';
    await ledger.settle(leased, 300);
    // Eight worst cases of 1,000 µ$ cannot take one of 9,000 µ$: that lease goes back.
    const big = await admit('too-big', 9 * WORST_CASE);
    await ledger.flush();
    const books = await account();
    expect(books.holds.map((hold) => hold.id)).not.toContain(leaseId);
    expect(books.spentMicros).toBe(300);
    await ledger.settle(big, 0);
  });

  it('returns a lease that has been idle', async () => {
    const { ledgers, account, clock } = await fleet(10_000 * WORST_CASE, 1, defaultLeasePolicy);
    const [ledger] = ledgers as [CreditLedger];
    const first = await ledger.admit(key, 'a', WORST_CASE);
    if (!first.ok) throw new Error('refused');
    await ledger.settle(first.admission, 0);
    const second = await ledger.admit(key, 'b', WORST_CASE);
    if (!second.ok) throw new Error('refused');
    expect(second.admission.kind).toBe('lease');
    await ledger.settle(second.admission, 200);
    await ledger.flush();
    expect((await account()).holds.some((hold) => hold.id.startsWith('lease-'))).toBe(true);
    clock.ms += defaultLeasePolicy.idleReleaseMs;
    await ledger.flush();
    const books = await account();
    expect(books.holds).toEqual([]);
    expect(books.availableMicros).toBe(10_000 * WORST_CASE - 200);
  });
});
