// A key's requests per minute: a fixed UTC-minute window counted with one
// conditional write; over it, 429 with Retry-After and OpenRouter's
// X-RateLimit-* headers (Reset in epoch ms). Keys without a limit do no
// rate-limit database work at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey } from '../billing/support/ledger.ts';
import { chat, startClockGateway, type ClockGateway } from '../billing/support/clock-gateway.ts';

let gw: ClockGateway;
const rateWrites: string[] = [];

beforeAll(async () => {
  gw = await startClockGateway();
  gw.table.client.middlewareStack.add(
    (next) => async (args) => {
      const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
      if (key?.startsWith('RATE#') === true) rateWrites.push(key);
      return next(args);
    },
    { step: 'initialize', name: 'countRateWrites' },
  );
});
afterAll(async () => {
  await gw.close();
});

describe('per-key rate limit', () => {
  it('answers 429 with Retry-After and X-RateLimit-* past the limit, and opens again next minute', async () => {
    gw.clock.set('2026-08-22T10:00:30Z');
    const { apiKey, hash } = await accountWithKey(gw.table, 1_000_000, { requestsPerMinute: 3 }, gw.clock.now());
    const reset = String(Date.parse('2026-08-22T10:01:00Z'));

    const allowed = [await chat(gw.baseUrl, apiKey), await chat(gw.baseUrl, apiKey), await chat(gw.baseUrl, apiKey)];
    expect(allowed.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(allowed.map((reply) => reply.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0']);
    for (const reply of allowed) {
      expect(reply.headers.get('x-ratelimit-limit')).toBe('3');
      expect(reply.headers.get('x-ratelimit-reset')).toBe(reset);
    }

    gw.clock.set('2026-08-22T10:00:45.500Z');
    const refused = await chat(gw.baseUrl, apiKey);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(reset);
    expect(refused.body.error).toMatchObject({
      code: 429,
      metadata: { error_type: 'rate_limit_exceeded', headers: { 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset } },
    });
    expect(refused.body.error?.message).toContain('3 requests per minute');
    expect(rateWrites.every((pk) => pk.startsWith(`RATE#${hash}#`))).toBe(true);

    gw.clock.set('2026-08-22T10:01:00Z');
    const next = await chat(gw.baseUrl, apiKey);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining')).toBe('2');
    await gw.idle();
  });

  it('lets exactly the limit through when requests arrive at once', async () => {
    gw.clock.set('2026-08-22T12:00:00Z');
    const { apiKey } = await accountWithKey(gw.table, 10_000_000, { requestsPerMinute: 5 }, gw.clock.now());
    const replies = await Promise.all(Array.from({ length: 20 }, () => chat(gw.baseUrl, apiKey)));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(5);
    expect(replies.filter((reply) => reply.status === 429)).toHaveLength(15);
    await gw.idle();
  });

  it('does no rate-limit work for a key without a limit', async () => {
    gw.clock.set('2026-08-22T13:00:00Z');
    const { apiKey } = await accountWithKey(gw.table, 1_000_000, {}, gw.clock.now());
    rateWrites.length = 0;
    const replies = await Promise.all(Array.from({ length: 5 }, () => chat(gw.baseUrl, apiKey)));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.every((reply) => reply.headers.get('x-ratelimit-limit') === null)).toBe(true);
    expect(rateWrites).toEqual([]);
    await gw.idle();
  });
});
