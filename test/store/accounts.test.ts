// The account item as a ledger, against dynalite through the real SDK:
// reservations never overdraw, settlement moves a balance once, and holds a
// crash left behind are reclaimed with the key holds they point at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodsAt } from '../../lib/billing/periods.ts';
import { addCredits, createAccount, getAccount, reclaimExpiredHolds, reserveCredits, settleHold, type Hold } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { getStoredKey, putKey } from '../../lib/store/keys.ts';
import { reserveKeySpend, spentIn } from '../../lib/store/key-spend.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

let dynamo: TestDynamo;
let table: Table;
let accounts = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
});
afterAll(async () => {
  await dynamo.close();
});

const NOW = Date.parse('2026-03-10T12:00:00Z');

async function accountWith(micros: number): Promise<string> {
  const id = `acct-${accounts++}`;
  expect(await createAccount(table, id, new Date(NOW).toISOString())).toBe(true);
  await addCredits(table, id, micros);
  return id;
}

const holdOf = (id: string, amountMicros: number, expiresAt = NOW + 60_000): Hold => ({ id, amountMicros, expiresAt });

describe('account ledger', () => {
  it('admits exactly the holds the balance covers, whatever the concurrency', async () => {
    const id = await accountWith(10 * 333);
    const results = await Promise.all(Array.from({ length: 60 }, (_, index) => reserveCredits(table, id, holdOf(`gen-${index}`, 333))));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    const account = await getAccount(table, id);
    expect(account).toMatchObject({ availableMicros: 0, creditsMicros: 3_330, spentMicros: 0 });
    expect(account?.holds).toHaveLength(10);
  });

  it('refuses a second hold with the same id', async () => {
    const id = await accountWith(1_000);
    expect((await reserveCredits(table, id, holdOf('gen-same', 100))).ok).toBe(true);
    expect((await reserveCredits(table, id, holdOf('gen-same', 100))).ok).toBe(false);
    expect((await getAccount(table, id))?.availableMicros).toBe(900);
  });

  it('moves the balance once when one settlement races its retries', async () => {
    const id = await accountWith(1_000);
    const hold = holdOf('gen-race', 400);
    await reserveCredits(table, id, hold);
    const results = await Promise.all([settleHold(table, id, hold, 150), settleHold(table, id, hold, 250), settleHold(table, id, hold, 150)]);
    expect(results.filter((result) => result.settled)).toHaveLength(1);
    const account = (await getAccount(table, id))!;
    expect(account.holds).toEqual([]);
    expect([150, 250]).toContain(account.spentMicros);
    expect(account.availableMicros).toBe(1_000 - account.spentMicros);
  });

  it('charges at most the hold and never a negative amount', async () => {
    const id = await accountWith(1_000);
    await reserveCredits(table, id, holdOf('gen-big', 300));
    await settleHold(table, id, holdOf('gen-big', 300), 5_000);
    await reserveCredits(table, id, holdOf('gen-neg', 300));
    await settleHold(table, id, holdOf('gen-neg', 300), -50);
    expect(await getAccount(table, id)).toMatchObject({ spentMicros: 300, availableMicros: 700 });
  });

  it('reclaims a hold a crash left behind once it expired, with the key hold it points at', async () => {
    const id = await accountWith(1_000);
    const hash = 'c'.repeat(64);
    const created = new Date(NOW).toISOString();
    await putKey(table, {
      hash, kind: 'inference', accountId: id, name: 'crashing', label: 'sk-sy-v1-ccc...cccc', disabled: false,
      limitMicros: 500, limitReset: null, expiresAt: null, createdAt: created, updatedAt: created, requestsPerMinute: null,
    });
    const key = { hash, ...periodsAt(NOW) };
    // Reserved on both items, then the process died: nothing ever settles.
    const crashed: Hold = { id: 'gen-crash', amountMicros: 400, expiresAt: NOW + 60_000, key };
    await reserveCredits(table, id, crashed);
    await reserveKeySpend(table, key, crashed, { period: 'total', ceilingMicros: 100 });
    await reserveCredits(table, id, holdOf('gen-alive', 100, NOW + 10 * 60_000));

    expect(await reclaimExpiredHolds(table, id, NOW + 30_000)).toBe(0);
    expect((await getAccount(table, id))?.holds).toHaveLength(2);

    expect(await reclaimExpiredHolds(table, id, NOW + 60_000)).toBe(1);
    const account = (await getAccount(table, id))!;
    expect(account.holds.map((hold) => hold.id)).toEqual(['gen-alive']);
    expect(account).toMatchObject({ availableMicros: 900, spentMicros: 0 });
    const spend = (await getStoredKey(table, hash))!.spend;
    expect(spend.holds).toEqual([]);
    expect(spentIn(spend, 'total', key)).toEqual({ usedMicros: 0, heldMicros: 0, spentMicros: 0 });
    // Settling late, after the reclaim, changes nothing.
    expect((await settleHold(table, id, crashed, 400)).settled).toBe(false);
    expect((await getAccount(table, id))?.spentMicros).toBe(0);
  });

  it('lets a correction remove credits only down to zero available', async () => {
    const id = await accountWith(1_000);
    await reserveCredits(table, id, holdOf('gen-held', 600));
    expect(await addCredits(table, id, -500)).toBeUndefined();
    expect((await addCredits(table, id, -400))?.availableMicros).toBe(0);
  });
});
