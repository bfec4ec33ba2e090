// The reclaim function against dynalite through the real SDK: the handler
// returns an expired hold (with its key hold) and keeps a live one, logs one
// JSON line, and fails the invocation when an account could not be swept.
// The Lambda entry is loaded from source with the environment infra/ sets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { periodsAt } from '../../lib/billing/periods.ts';
import { addCredits, createAccount, getAccount, reserveCredits, type Hold } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { getStoredKey, putKey } from '../../lib/store/keys.ts';
import { reserveKeySpend, type KeyHoldRef } from '../../lib/store/key-spend.ts';
import { createReclaimHandler } from '../../functions/reclaim/handler.ts';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-environment.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const ACCOUNT = 'acct-reclaim';
const KEY_HASH = 'e'.repeat(64);
const HOLD_LIFETIME = 20 * 60_000;

let dynamo: TestDynamo;
let table: Table;

beforeEach(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
});
afterEach(async () => {
  await dynamo.close();
});

/** An account with 1,000 µ$ and a key; two requests reserved on both, reserved at `crashedAt` and `aliveAt`. */
async function arrange(crashedAt: number, aliveAt: number): Promise<KeyHoldRef> {
  const created = new Date(crashedAt).toISOString();
  await createAccount(table, ACCOUNT, created);
  await addCredits(table, ACCOUNT, 1_000);
  await putKey(table, {
    hash: KEY_HASH, kind: 'inference', accountId: ACCOUNT, name: 'reclaim', label: 'sk-sy-v1-eee...eeee', disabled: false,
    limitMicros: null, limitReset: null, expiresAt: null, createdAt: created, updatedAt: created, requestsPerMinute: null,
  });
  const key = { hash: KEY_HASH, ...periodsAt(crashedAt) };
  for (const hold of [
    { id: 'gen-crashed', amountMicros: 400, expiresAt: crashedAt + HOLD_LIFETIME, key },
    { id: 'gen-alive', amountMicros: 100, expiresAt: aliveAt + HOLD_LIFETIME, key },
  ] satisfies Hold[]) {
    expect((await reserveCredits(table, ACCOUNT, hold)).ok).toBe(true);
    expect(await reserveKeySpend(table, key, hold, undefined)).toBe(true);
  }
  return key;
}

async function expectOnlyAliveHoldLeft(): Promise<void> {
  const account = await getAccount(table, ACCOUNT);
  expect(account).toMatchObject({ availableMicros: 900, spentMicros: 0 });
  expect(account?.holds.map((hold) => hold.id)).toEqual(['gen-alive']);
  expect((await getStoredKey(table, KEY_HASH))?.spend.holds.map((hold) => hold.id)).toEqual(['gen-alive']);
}

describe('reclaim handler', () => {
  it('reclaims an expired account hold with its key hold, keeps a live one, and logs one summary line', async () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    await arrange(now - HOLD_LIFETIME - 1, now - 60_000);
    const logs: Array<Record<string, unknown>> = [];
    const handler = createReclaimHandler({ table, now: () => now, log: (entry) => logs.push(entry) });

    const summary = await handler();

    expect(summary).toEqual({ accounts: 1, reclaimed: 1, failed: 0 });
    await expectOnlyAliveHoldLeft();
    expect(logs).toEqual([{ level: 'info', message: 'reclaim finished', accounts: 1, reclaimed: 1, failed: 0, durationMs: 0 }]);
  });

  it('fails the invocation, after sweeping the rest, when an account cannot be swept', async () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    await arrange(now - HOLD_LIFETIME - 1, now);
    await createAccount(table, 'acct-broken', new Date(now).toISOString());
    dynamo.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: { pk?: { S?: string } } };
        if (input.Key?.pk?.S === 'ACCOUNT#acct-broken') throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        return next(args);
      },
      { step: 'initialize', name: 'failOneAccount' },
    );
    const logs: Array<Record<string, unknown>> = [];
    const handler = createReclaimHandler({ table, now: () => now, log: (entry) => logs.push(entry) });

    await expect(handler()).rejects.toThrow('reclaim failed for 1 of 2 accounts');

    await expectOnlyAliveHoldLeft();
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', account: 'acct-broken', error: 'ProvisionedThroughputExceededException: throttled' }));
    expect(logs.at(-1)).toMatchObject({ level: 'error', message: 'reclaim finished', accounts: 2, reclaimed: 1, failed: 1 });
  });
});

describe('reclaim Lambda entry', () => {
  const variables = [...Object.values(FUNCTION_ENVIRONMENT), 'SWITCHYARD_CATALOG_JSON', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  const saved = new Map(variables.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('reads only the table name from its environment and sweeps that table', async () => {
    const now = Date.now();
    await arrange(now - HOLD_LIFETIME - 60_000, now);
    // What infra/constructs/reclaim-sweep.ts sets, and no more (no secret id, no usage stream).
    for (const name of variables) delete process.env[name];
    process.env[FUNCTION_ENVIRONMENT.tableName] = dynamo.tableName;
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const { handler } = await import('../../functions/reclaim/index.ts');

    expect(await handler()).toEqual({ accounts: 1, reclaimed: 1, failed: 0 });
    await expectOnlyAliveHoldLeft();
  });
});
