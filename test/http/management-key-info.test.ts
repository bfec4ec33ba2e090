// GET /api/v1/key (and /auth/key) for the calling key, and the credits
// routes: OpenRouter's shapes in USD, read fresh after requests settle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, addKey } from '../billing/support/ledger.ts';
import { call, chat, startClockGateway, type ClockGateway } from '../billing/support/clock-gateway.ts';
import { getAccount, reserveCredits } from '../../lib/store/accounts.ts';

let gw: ClockGateway;
beforeAll(async () => {
  gw = await startClockGateway('2026-08-22T10:00:00Z');
});
afterAll(async () => {
  await gw.close();
});

describe('GET /api/v1/key', () => {
  it("describes the calling key: limit, usage by period, rate limit, kind", async () => {
    const { apiKey, accountId } = await accountWithKey(gw.table, 5_000_000, { limitMicros: 2_000_000, limitReset: 'monthly', requestsPerMinute: 60, expiresAt: '2027-01-01T00:00:00.000Z' }, gw.clock.now());
    const before = await call(gw.baseUrl, apiKey, 'GET', '/key');
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      label: `${apiKey.slice(0, 12)}...${apiKey.slice(-4)}`,
      name: 'billing test key',
      limit: 2,
      limit_reset: 'monthly',
      limit_resets_at: '2026-09-01T00:00:00.000Z',
      include_byok_in_limit: false,
      limit_remaining: 2,
      usage: 0,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      is_free_tier: false,
      is_management_key: false,
      is_provisioning_key: false,
      rate_limit: { requests: 60, interval: '1m', note: expect.any(String) },
      creator_user_id: null,
      expires_at: '2027-01-01T00:00:00.000Z',
    });

    const reply = await chat(gw.baseUrl, apiKey, { usage: { include: true } });
    await gw.idle();
    const cost = gw.usage.find((record) => record.account_id === accountId)?.cost_micros ?? 0;
    expect(cost).toBeGreaterThan(0);
    expect(reply.status).toBe(200);
    const after = (await call(gw.baseUrl, apiKey, 'GET', '/auth/key')).body.data as Record<string, unknown>;
    expect(after).toMatchObject({ usage: cost / 1e6, usage_daily: cost / 1e6, usage_weekly: cost / 1e6, usage_monthly: cost / 1e6, limit_remaining: (2_000_000 - cost) / 1e6 });
  });

  it('answers a management key about itself too', async () => {
    const { accountId } = await accountWithKey(gw.table, 0, {}, gw.clock.now());
    const admin = await addKey(gw.table, accountId, { kind: 'management' }, gw.clock.now());
    const info = await call(gw.baseUrl, admin, 'GET', '/key');
    expect(info.body.data).toMatchObject({ is_management_key: true, limit: null, limit_remaining: null, rate_limit: { requests: -1, interval: '1m' } });
    expect((await fetch(`${gw.baseUrl}/key`)).status).toBe(401);
  });
});

describe('credits', () => {
  it('shows credits and usage in USD to either kind of key of the account', async () => {
    const { apiKey, accountId } = await accountWithKey(gw.table, 3_000_000, {}, gw.clock.now());
    const admin = await addKey(gw.table, accountId, { kind: 'management' }, gw.clock.now());
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
    const cost = gw.usage.filter((record) => record.account_id === accountId).reduce((sum, record) => sum + record.cost_micros, 0);

    for (const key of [apiKey, admin]) {
      const credits = await call(gw.baseUrl, key, 'GET', '/credits');
      expect(credits.status).toBe(200);
      expect(credits.body.data).toEqual({
        total_credits: 3,
        total_usage: cost / 1e6,
        reserved: 0,
        reserved_by_requests: 0,
        requests_in_flight: 0,
        reserved_by_leases: 0,
        leases: 0,
        available: (3_000_000 - cost) / 1e6,
      });
    }
  });

  it('tells the holds of requests in flight apart from the leases a running gateway holds for its next requests', async () => {
    const { apiKey, accountId, hash } = await accountWithKey(gw.table, 5_000_000, {}, gw.clock.now());
    // The first request takes the exact path and learns the balance; the next ones are admitted on a lease.
    for (let request = 0; request < 3; request += 1) expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
    // A request in flight on the exact path: its own hold, naming its key.
    const day = new Date(gw.clock.now()).toISOString().slice(0, 10);
    await reserveCredits(gw.table, accountId, { id: 'gen-in-flight', amountMicros: 4_000, expiresAt: gw.clock.now() + 600_000, key: { hash, day, week: day, month: day } });

    const { data } = (await call(gw.baseUrl, apiKey, 'GET', '/credits')).body as { data: Record<string, number> };

    const account = await getAccount(gw.table, accountId);
    const leases = (account?.holds ?? []).filter((hold) => hold.key === undefined);
    expect(leases.length).toBe(1);
    expect(data).toMatchObject({ requests_in_flight: 1, reserved_by_requests: 0.004, leases: 1, reserved_by_leases: (leases[0]?.amountMicros ?? 0) / 1e6 });
    expect(data.reserved).toBeCloseTo((data.reserved_by_requests ?? 0) + (data.reserved_by_leases ?? 0), 9);
    expect(data.available).toBeCloseTo((data.total_credits ?? 0) - (data.total_usage ?? 0) - (data.reserved ?? 0), 9);
  });

  it('adds credits with a management key, and refuses what is not one', async () => {
    const { apiKey, accountId } = await accountWithKey(gw.table, 1_000_000, {}, gw.clock.now());
    const admin = await addKey(gw.table, accountId, { kind: 'management' }, gw.clock.now());

    const added = await call(gw.baseUrl, admin, 'POST', '/credits', { amount: 2.25 });
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({ total_credits: 3.25, available: 3.25 });
    const corrected = await call(gw.baseUrl, admin, 'POST', '/credits', { amount: -0.25 });
    expect(corrected.body.data).toMatchObject({ total_credits: 3, available: 3 });

    expect((await call(gw.baseUrl, apiKey, 'POST', '/credits', { amount: 1 })).status).toBe(403);
    const tooMuch = await call(gw.baseUrl, admin, 'POST', '/credits', { amount: -10 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error?.message).toContain('below zero');
    for (const body of [{ amount: 0 }, { amount: '5' }, {}, { amount: 1, account: 'other' }]) {
      const reply = await call(gw.baseUrl, admin, 'POST', '/credits', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(gw.baseUrl, admin, 'GET', '/credits')).body.data).toMatchObject({ total_credits: 3 });
  });

  it('gives a new account its first credits', async () => {
    const { accountId } = await accountWithKey(gw.table, 0, {}, gw.clock.now());
    const admin = await addKey(gw.table, `${accountId}-fresh`, { kind: 'management' }, gw.clock.now());
    expect((await call(gw.baseUrl, admin, 'GET', '/credits')).body.data).toMatchObject({ total_credits: 0, available: 0 });
    expect((await call(gw.baseUrl, admin, 'POST', '/credits', { amount: 1 })).body.data).toMatchObject({ total_credits: 1, available: 1 });
  });
});
