// A key's own spending limit, through the gateway with a clock the test
// moves: refused with OpenRouter's 402 shape (Switchyard's limit source and
// `resets_at`) once spent, and usable again from 00:00 UTC of the next day,
// Monday or first of the month; a limit without reset never comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, worstCaseOf } from './support/ledger.ts';
import { call, chat, startClockGateway, type ClockGateway, type Reply } from './support/clock-gateway.ts';
import type { LimitReset } from '../../lib/billing/periods.ts';

let gw: ClockGateway;
beforeAll(async () => {
  gw = await startClockGateway();
});
afterAll(async () => {
  await gw.close();
});

const BODY = { model: 'test/one', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10 };
const WORST = worstCaseOf(BODY, { prompt: '2', completion: '4' });

async function keyWithLimit(limitMicros: number, limitReset: LimitReset | null): Promise<string> {
  const { apiKey } = await accountWithKey(gw.table, 1_000_000, { limitMicros, limitReset }, gw.clock.now());
  return apiKey;
}

/** Requests one after another (each settled before the next) until one is refused. */
async function spendUntilRefused(apiKey: string): Promise<{ admitted: number; refusal: Reply }> {
  for (let admitted = 0; admitted < 20; admitted++) {
    const reply = await chat(gw.baseUrl, apiKey);
    await gw.idle();
    if (reply.status !== 200) return { admitted, refusal: reply };
  }
  throw new Error('the limit never refused a request');
}

const keyInfo = async (apiKey: string) => (await call(gw.baseUrl, apiKey, 'GET', '/key')).body.data as Record<string, number | string | null>;

describe('key limits', () => {
  it('refuses with 402 and OpenRouter-style metadata once a daily limit is spent, and resets at 00:00 UTC', async () => {
    gw.clock.set('2026-08-22T10:00:30Z');
    const apiKey = await keyWithLimit(3 * WORST, 'daily');

    const { admitted, refusal } = await spendUntilRefused(apiKey);

    expect(admitted).toBeGreaterThanOrEqual(3);
    expect(refusal.status).toBe(402);
    expect(refusal.body.error?.code).toBe(402);
    expect(refusal.body.error?.message).toMatch(/^This request requires more credits than this key's limit has left, or fewer max_tokens\. You requested up to 10 tokens, but can only afford \d+\.$/);
    const metadata = refusal.body.error?.metadata ?? {};
    expect(metadata).toMatchObject({ error_type: 'payment_required', limit_source: 'switchyard_key_limit', limit_usd: (3 * WORST) / 1e6, resets_at: '2026-08-23T00:00:00.000Z' });
    const info = await keyInfo(apiKey);
    expect(info.usage_daily).toBe(info.usage);
    expect(info.limit_remaining).toBe(metadata.limit_remaining_usd);
    expect((info.limit as number) - (info.usage as number)).toBeCloseTo(info.limit_remaining as number, 9);
    expect(info.usage as number).toBeLessThanOrEqual((3 * WORST) / 1e6);

    gw.clock.set('2026-08-22T23:59:59.999Z');
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(402);
    gw.clock.set('2026-08-23T00:00:00Z');
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
    const next = await keyInfo(apiKey);
    expect(next.usage_daily as number).toBeGreaterThan(0);
    expect(next.usage_daily as number).toBeLessThan(next.usage as number);
  });

  it('resets a weekly limit on Monday, not on Sunday', async () => {
    gw.clock.set('2026-08-22T08:00:00Z'); // Saturday
    const apiKey = await keyWithLimit(2 * WORST, 'weekly');
    const { refusal } = await spendUntilRefused(apiKey);
    expect(refusal.body.error?.metadata?.resets_at).toBe('2026-08-24T00:00:00.000Z');

    gw.clock.set('2026-08-23T23:00:00Z'); // Sunday
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(402);
    gw.clock.set('2026-08-24T00:00:01Z'); // Monday
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
  });

  it('resets a monthly limit on the first of the month', async () => {
    gw.clock.set('2026-08-31T22:00:00Z');
    const apiKey = await keyWithLimit(2 * WORST, 'monthly');
    const { refusal } = await spendUntilRefused(apiKey);
    expect(refusal.body.error?.metadata?.resets_at).toBe('2026-09-01T00:00:00.000Z');

    gw.clock.set('2026-09-01T00:00:00Z');
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
  });

  it('never resets a limit without limit_reset', async () => {
    gw.clock.set('2026-08-22T10:00:00Z');
    const apiKey = await keyWithLimit(2 * WORST, null);
    const { refusal } = await spendUntilRefused(apiKey);
    expect(refusal.body.error?.metadata?.resets_at).toBeNull();

    gw.clock.advance(40 * 86_400_000);
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(402);
  });

  it('refuses a request whose worst case alone is above the limit, without spending', async () => {
    gw.clock.set('2026-08-22T10:00:00Z');
    const apiKey = await keyWithLimit(WORST - 1, 'daily');
    const reply = await chat(gw.baseUrl, apiKey);
    expect(reply.status).toBe(402);
    expect(reply.body.error?.metadata?.limit_remaining_usd).toBe((WORST - 1) / 1e6);
    expect((await keyInfo(apiKey)).usage).toBe(0);
  });

  it('stops an expired key at its expiry time', async () => {
    gw.clock.set('2026-08-22T10:00:00Z');
    const { apiKey } = await accountWithKey(gw.table, 1_000_000, { expiresAt: '2026-08-22T11:00:00.000Z' }, gw.clock.now());
    expect((await chat(gw.baseUrl, apiKey)).status).toBe(200);
    await gw.idle();
    gw.clock.set('2026-08-22T11:00:00Z');
    const reply = await chat(gw.baseUrl, apiKey);
    expect(reply.status).toBe(403);
    expect(reply.body.error?.message).toBe('This API key has expired');
  });
});
