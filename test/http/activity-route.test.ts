// GET /activity in OpenRouter's shape (read back through OpenRouter's own
// SDK, which validates it), its date and key filters, and Switchyard's
// GET /activity/summary; management keys only; bad queries are 400s that
// name the field. Activity of earlier days is written the way the gateway
// writes it: generation records through the generation writer.
import { OpenRouter } from '@openrouter/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { createGenerationWriter } from '../../lib/store/generations.ts';
import { usageRecord } from '../support/usage-record.ts';
import { startTestGateway } from '../support/local-gateway.ts';

const DAY_MS = 86_400_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const today = dayOf(Date.now());
const yesterday = dayOf(Date.now() - DAY_MS);
const sixDaysAgo = dayOf(Date.now() - 6 * DAY_MS);

let gateway: LocalGateway;
let servedCost: number;
const OTHER_KEY_HASH = 'f'.repeat(64);

beforeAll(async () => {
  gateway = await startTestGateway();
  const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
  const completion = await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hello' }] });
  servedCost = (completion.usage as OpenAI.CompletionUsage & { cost: number }).cost;
  const writer = createGenerationWriter(gateway.table, 30, () => undefined);
  const earlier = (id: string, day: string, overrides: Parameters<typeof usageRecord>[1] = {}) =>
    usageRecord(id, { account_id: gateway.keys.accountId, created_at: `${day}T09:15:00.000Z`, ...overrides });
  writer.add(earlier('gen-yesterday-1', yesterday, { cost_micros: 1_000 }), Date.now());
  writer.add(earlier('gen-yesterday-2', yesterday, { cost_micros: 500, reasoning_tokens: 3 }), Date.now());
  writer.add(earlier('gen-yesterday-failed', yesterday, { model: null, provider: null, endpoint: null, status: 503, cost_micros: 0 }), Date.now());
  writer.add(earlier('gen-six-days', sixDaysAgo, { key_hash_prefix: OTHER_KEY_HASH.slice(0, 16), cost_micros: 7 }), Date.now());
  writer.add(earlier('gen-other-account', yesterday, { account_id: 'someone-else', cost_micros: 99 }), Date.now());
  await writer.flush();
});
afterAll(async () => {
  await gateway.close();
});

const get = async (path: string, key: string | null = gateway.keys.managementKey): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${gateway.url}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const sdk = (): OpenRouter => new OpenRouter({ apiKey: gateway.keys.managementKey, serverURL: gateway.baseUrl, retryConfig: { strategy: 'none' } });

describe('GET /activity', () => {
  it('answers the last 30 completed UTC days per day and endpoint, in the shape OpenRouter’s SDK reads', async () => {
    const { data } = await sdk().analytics.getUserActivity({});

    expect(data.map((item) => [item.date, item.endpointId, item.requests, item.usage])).toEqual([
      [yesterday, 'openai/gpt-4o-mini@openai', 2, 0.0015],
      [sixDaysAgo, 'openai/gpt-4o-mini@openai', 1, 0.000007],
    ]);
    expect(data[0]).toMatchObject({ model: 'openai/gpt-4o-mini', providerName: 'OpenAI', promptTokens: 24, completionTokens: 68, reasoningTokens: 3, byokUsageInference: 0 });
  });

  it('filters by one date, today included, and by key hash', async () => {
    const { data: todays } = await sdk().analytics.getUserActivity({ date: today });
    const byOtherKey = await get(`/api/v1/activity?api_key_hash=${OTHER_KEY_HASH}`);

    expect(todays).toEqual([expect.objectContaining({ date: today, endpointId: 'test/one@sim-a', providerName: 'Sim A', requests: 1, usage: servedCost })]);
    expect((byOtherKey.body.data as { date: string }[]).map((item) => item.date)).toEqual([sixDaysAgo]);
  });

  it('is served under /v1 too', async () => {
    const { status, body } = await get(`/v1/activity?date=${yesterday}`);

    expect(status).toBe(200);
    expect((body.data as unknown[]).length).toBe(1);
  });

  it('needs a management key: 401 without one, 403 for an API key, and no data either way', async () => {
    const anonymous = await get('/api/v1/activity', null);
    const inference = await get('/api/v1/activity', gateway.keys.apiKey);

    expect(anonymous.status).toBe(401);
    expect(inference.status).toBe(403);
    expect(anonymous.body).toEqual({ error: expect.objectContaining({ code: 401 }) });
    expect(inference.body).toEqual({ error: expect.objectContaining({ code: 403, message: expect.stringContaining('management key') }) });
  });

  it.each([
    ['date=2026-13-45', 'date'],
    ['date=yesterday', 'date'],
    [`date=${dayOf(Date.now() - 45 * DAY_MS)}`, 'date'],
    [`date=${dayOf(Date.now() + 2 * DAY_MS)}`, 'date'],
    ['api_key_hash=abc', 'api_key_hash'],
    ['group_by=workspace', 'group_by'],
  ])('answers ?%s with a 400 naming `%s`', async (query, field) => {
    const { status, body } = await get(`/api/v1/activity?${query}`);

    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, metadata: { field } });
    expect((body.error as { message: string }).message).toContain(field);
  });
});

describe('GET /activity/summary', () => {
  it('sums a window by day: totals, series, breakdowns, statuses and latency percentiles', async () => {
    const from = `${dayOf(Date.now() - 7 * DAY_MS)}T00:00:00Z`;
    const { status, body } = await get(`/api/v1/activity/summary?granularity=day&from=${from}`);
    const data = body.data as Record<string, unknown> & { totals: Record<string, number>; series: { start: string; requests: number }[] };

    expect(status).toBe(200);
    expect(data.totals).toMatchObject({ requests: 5, errors: 1, error_rate: 0.2 });
    expect(data.totals.usage).toBeCloseTo(0.001507 + servedCost, 12);
    expect(data.series.filter((point) => point.requests > 0).map((point) => [point.start.slice(0, 10), point.requests])).toEqual([
      [sixDaysAgo, 1],
      [yesterday, 3],
      [today, 1],
    ]);
    expect(data.statuses).toEqual([{ status: 200, requests: 4 }, { status: 503, requests: 1 }]);
    expect((data.by_provider as { provider: string }[]).map((row) => row.provider).sort()).toEqual(['(none served)', 'OpenAI', 'Sim A']);
    expect(data.latency).toMatchObject({ total_ms: { count: 5, p50: expect.any(Number) }, ttfb_ms: { p99: expect.any(Number) } });
  });

  it.each([
    ['granularity=minute', 'granularity'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['to=tomorrow', 'to'],
  ])('answers ?%s with a 400 naming `%s`', async (query, field) => {
    const { status, body } = await get(`/api/v1/activity/summary?${query}`);

    expect(status).toBe(400);
    expect(body.error).toMatchObject({ metadata: { field } });
  });

  it('needs a management key', async () => {
    expect((await get('/api/v1/activity/summary', gateway.keys.apiKey)).status).toBe(403);
    expect((await get('/api/v1/activity/summary', null)).status).toBe(401);
  });
});
