// The credit fast path: a lease on the balance admits requests with no
// database write on the request path, never lets the balance go below zero,
// moves charges to `spent` exactly once, and gives back what it did not use.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditLedger, defaultLeasePolicy, type Admission, type CreditLedger } from '../../lib/billing/credit-ledger.ts';
import { addCredits, createAccount, getAccount, reclaimExpiredHolds } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { chargeLease } from '../../lib/store/leases.ts';
import { putKey, type KeyRecord } from '../../lib/store/keys.ts';
import { createTable, startDynamo, type TestDynamo } from '../support/dynalite.ts';

let dynamo: TestDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

/** A table with one account of `credits` µ$ and one key; `writes` counts the calls that reach DynamoDB. */
async function setup(credits: number, limitMicros: number | null = null) {
  const name = `ledger-${(tables += 1)}`;
  await createTable(dynamo.client, name);
  let writes = 0;
  const counting = {
    send: (command: Parameters<DynamoDBClient['send']>[0]) => {
      writes += 1;
      return dynamo.client.send(command);
    },
  } as unknown as DynamoDBClient;
  const table: Table = { client: counting, name };
  await createAccount(table, 'acct', new Date().toISOString());
  await addCredits(table, 'acct', credits);
  const key: KeyRecord = {
    hash: 'a'.repeat(64),
    kind: 'inference',
    accountId: 'acct',
    name: 'k',
    label: 'sk-sy-v1-aaa...aaaa',
    disabled: false,
    limitMicros,
    limitReset: null,
    expiresAt: null,
    createdAt: '',
    updatedAt: '',
    requestsPerMinute: null,
  };
  await putKey(table, key);
  const clock = { ms: 1_800_000_000_000 };
  const ledger: CreditLedger = createCreditLedger({ table, now: () => clock.ms, holdTtlMs: 20 * 60_000, log: () => undefined, instanceId: 'test' });
  const account = async () => (await getAccount(table, 'acct'))!;
  return { table, key, ledger, clock, account, writes: () => writes };
}

const admitted = (result: Awaited<ReturnType<CreditLedger['admit']>>): Admission => {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.admission;
};

describe('the credit fast path', () => {
  it('takes the exact path first, then a lease, and keeps the books exact', async () => {
    const { ledger, key, account, writes } = await setup(100_000_000);
    const exact = admitted(await ledger.admit(key, 'gen-1', 1_000));
    expect(exact.kind).toBe('hold');
    await ledger.settle(exact, 400);

    const second = admitted(await ledger.admit(key, 'gen-2', 1_000));
    expect(second.kind).toBe('lease');
    const before = writes();
    const many = await Promise.all(Array.from({ length: 200 }, (_, index) => ledger.admit(key, `gen-fast-${index}`, 1_000)));
    expect(writes()).toBe(before);
    expect(many.every((result) => result.ok && result.admission.kind === 'lease')).toBe(true);

    for (const result of many) await ledger.settle(admitted(result), 300);
    await ledger.settle(second, 300);
    await ledger.flush();
    const books = await account();
    expect(books.spentMicros).toBe(400 + 201 * 300);
    expect(books.creditsMicros).toBe(100_000_000);
    const held = books.holds.reduce((sum, hold) => sum + hold.amountMicros, 0);
    expect(books.availableMicros + held + books.spentMicros).toBe(books.creditsMicros);
  });

  it('never admits past the lease or the balance, whatever the concurrency', async () => {
    const { ledger, key, account } = await setup(2_000_000);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-warm', 1_000)), 0);
    // A lease is 10% of the balance: 200 worst cases of 1 000 µ$ fit in it; the rest go exact.
    const results = await Promise.all(Array.from({ length: 400 }, (_, index) => ledger.admit(key, `gen-${index}`, 1_000)));
    const kinds = results.map((result) => (result.ok ? result.admission.kind : 'refused'));
    const leased = kinds.filter((kind) => kind === 'lease').length;
    const exact = kinds.filter((kind) => kind === 'hold').length;
    const books = await account();
    const lease = books.holds.filter((hold) => hold.id.startsWith('lease-'));
    const leaseHeld = lease.reduce((sum, hold) => sum + hold.amountMicros, 0);
    // Every admitted worst case is covered by a hold in the store.
    expect(leased * 1_000).toBeLessThanOrEqual(leaseHeld);
    expect(books.holds.filter((hold) => hold.id.startsWith('gen-'))).toHaveLength(exact);
    expect(leased + exact).toBe(400);
    expect(books.availableMicros).toBeGreaterThanOrEqual(0);
    expect(books.availableMicros + leaseHeld + exact * 1_000).toBe(2_000_000);
  });

  it('leaves low balances and keys with limits to the exact path', async () => {
    const low = await setup(10_000);
    await low.ledger.settle(admitted(await low.ledger.admit(low.key, 'gen-a', 1_000)), 0);
    expect(admitted(await low.ledger.admit(low.key, 'gen-b', 1_000)).kind).toBe('hold');

    const limited = await setup(100_000_000, 50_000_000);
    await limited.ledger.settle(admitted(await limited.ledger.admit(limited.key, 'gen-c', 1_000)), 0);
    expect(admitted(await limited.ledger.admit(limited.key, 'gen-d', 1_000)).kind).toBe('hold');
  });

  it('gives back what a lease did not use once its admission window has passed', async () => {
    const { ledger, key, account, clock } = await setup(100_000_000);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-1', 1_000)), 0);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-2', 1_000)), 700);
    clock.ms += defaultLeasePolicy.admitWindowMs;
    await ledger.flush();
    await ledger.flush();
    const books = await account();
    expect(books.holds).toEqual([]);
    expect(books.spentMicros).toBe(700);
    expect(books.availableMicros).toBe(100_000_000 - 700);
  });

  it('loses at most the unflushed charges of a crashed container, and never goes below zero', async () => {
    const { ledger, key, account, table, clock } = await setup(100_000_000);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-1', 1_000)), 0);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-2', 1_000)), 500);
    // The container dies here: the charge was never flushed. The lease expires and is reclaimed whole.
    await reclaimExpiredHolds(table, 'acct', clock.ms + 21 * 60_000);
    const books = await account();
    expect(books.holds).toEqual([]);
    expect(books.availableMicros).toBe(100_000_000);
    expect(books.spentMicros).toBe(0);
  });
});

describe('chargeLease', () => {
  it('applies a batch once, even when it is sent again', async () => {
    const { ledger, key, account, table } = await setup(100_000_000);
    await ledger.settle(admitted(await ledger.admit(key, 'gen-1', 1_000)), 0);
    admitted(await ledger.admit(key, 'gen-2', 1_000));
    const lease = (await account()).holds.find((hold) => hold.id.startsWith('lease-'))!;
    expect(await chargeLease(table, 'acct', lease.id, lease.amountMicros, 250)).toBe('applied');
    // The same batch again (its first reply was lost): nothing moves twice.
    expect(await chargeLease(table, 'acct', lease.id, lease.amountMicros, 250)).toBe('applied');
    const books = await account();
    expect(books.spentMicros).toBe(250);
    expect(books.holds.find((hold) => hold.id === lease.id)?.amountMicros).toBe(lease.amountMicros - 250);
  });
});
