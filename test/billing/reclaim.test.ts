// The sweep over every account, against dynalite through the real SDK:
// expired holds go back to their accounts and keys, live ones stay, a second
// run changes nothing, and one failing account does not stop the rest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { periodsAt } from '../../lib/billing/periods.ts';
import { reclaimAllExpiredHolds } from '../../lib/billing/reclaim.ts';
import { addCredits, createAccount, getAccount, reserveCredits, type Hold } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { getStoredKey, putKey } from '../../lib/store/keys.ts';
import { reserveKeySpend, type KeyHoldRef } from '../../lib/store/key-spend.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const EXPIRED = NOW - 1;
const LIVE = NOW + 10 * 60_000;

let dynamo: TestDynamo;
let table: Table;

beforeEach(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
});
afterEach(async () => {
  await dynamo.close();
});

async function accountWithKey(id: string, credits: number): Promise<KeyHoldRef> {
  const created = new Date(NOW).toISOString();
  await createAccount(table, id, created);
  await addCredits(table, id, credits);
  const hash = Array.from(id, (char) => char.charCodeAt(0).toString(16)).join('').padEnd(64, '0');
  await putKey(table, {
    hash, kind: 'inference', accountId: id, name: id, label: 'sk-sy-v1-000...0000', disabled: false,
    limitMicros: null, limitReset: null, expiresAt: null, createdAt: created, updatedAt: created, requestsPerMinute: null,
  });
  return { hash, ...periodsAt(NOW) };
}

/** Reserve on the account and its key, as a request does before calling upstream. */
async function holdOnBoth(accountId: string, key: KeyHoldRef, id: string, amountMicros: number, expiresAt: number): Promise<void> {
  const hold: Hold = { id, amountMicros, expiresAt, key };
  expect((await reserveCredits(table, accountId, hold)).ok).toBe(true);
  expect(await reserveKeySpend(table, key, hold, undefined)).toBe(true);
}

describe('reclaimAllExpiredHolds', () => {
  it('returns expired holds on every account and key, keeps live ones, and is idempotent', async () => {
    const keyA = await accountWithKey('acct-a', 1_000);
    const keyB = await accountWithKey('acct-b', 2_000);
    await holdOnBoth('acct-a', keyA, 'gen-a-crashed', 400, EXPIRED);
    await holdOnBoth('acct-a', keyA, 'gen-a-alive', 100, LIVE);
    await holdOnBoth('acct-b', keyB, 'gen-b-crashed', 700, EXPIRED);
    // A crash between the key's reservation and the account's: a key hold no account hold points at.
    expect(await reserveKeySpend(table, keyB, { id: 'gen-b-orphan', amountMicros: 50, expiresAt: EXPIRED }, undefined)).toBe(true);

    expect(await reclaimAllExpiredHolds(table, NOW)).toEqual({ accounts: 2, reclaimed: 2, failed: 0 });

    const a = await getAccount(table, 'acct-a');
    expect(a).toMatchObject({ availableMicros: 900, spentMicros: 0 });
    expect(a?.holds.map((hold) => hold.id)).toEqual(['gen-a-alive']);
    expect(await getAccount(table, 'acct-b')).toMatchObject({ availableMicros: 2_000, spentMicros: 0, holds: [] });
    expect((await getStoredKey(table, keyA.hash))?.spend.holds.map((hold) => hold.id)).toEqual(['gen-a-alive']);
    expect((await getStoredKey(table, keyB.hash))?.spend.holds).toEqual([]);

    expect(await reclaimAllExpiredHolds(table, NOW)).toEqual({ accounts: 2, reclaimed: 0, failed: 0 });
    expect((await getAccount(table, 'acct-a'))?.availableMicros).toBe(900);
  });

  it('keeps a hold until the moment it expires', async () => {
    const key = await accountWithKey('acct-edge', 1_000);
    await holdOnBoth('acct-edge', key, 'gen-edge', 300, NOW);

    expect((await reclaimAllExpiredHolds(table, NOW - 1)).reclaimed).toBe(0);
    expect((await reclaimAllExpiredHolds(table, NOW)).reclaimed).toBe(1);
    expect((await getAccount(table, 'acct-edge'))?.availableMicros).toBe(1_000);
  });

  it('goes on past an account that fails and reports it', async () => {
    const keyGood = await accountWithKey('acct-good', 1_000);
    await accountWithKey('acct-broken', 1_000);
    await holdOnBoth('acct-good', keyGood, 'gen-good', 250, EXPIRED);
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
    dynamo.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: { pk?: { S?: string } } };
        if (input.Key?.pk?.S === 'ACCOUNT#acct-broken') throw throttled;
        return next(args);
      },
      { step: 'initialize', name: 'failOneAccount' },
    );
    const failures: Array<[string, unknown]> = [];

    const summary = await reclaimAllExpiredHolds(table, NOW, { onError: (accountId, error) => failures.push([accountId, error]) });

    expect(summary).toEqual({ accounts: 2, reclaimed: 1, failed: 1 });
    expect(failures).toEqual([['acct-broken', throttled]]);
    expect((await getAccount(table, 'acct-good'))?.availableMicros).toBe(1_000);
  });
});
