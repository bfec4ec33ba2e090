// The worst-case hold with tiered prices: a prompt that may be longer than a
// tier's threshold is held at that tier's prices (and at the dearest input
// price: 1-hour cache writes, audio), so credits never pay for less than the
// request can cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { costOf, worstCaseMicros } from '../../lib/billing/cost.ts';
import type { Pricing } from '../../lib/catalog/schema.ts';
import { emptyUsage } from '../../lib/streaming/events.ts';
import { startTestGateway } from '../support/local-gateway.ts';
import { accountWithKey, worstCaseOf } from './support/ledger.ts';

const TIERED: Pricing = {
  prompt: '3',
  completion: '15',
  cacheRead: '0.3',
  cacheWrite: '3.75',
  cacheWrite1h: '6',
  tiers: [{ abovePromptTokens: 200, prompt: '6', completion: '22.5', cacheWrite1h: '12' }],
};

describe('worstCaseMicros', () => {
  it('holds a prompt that cannot pass the threshold at the base prices, the dearest input price included', () => {
    // 200 input tokens at the 1-hour cache-write price ($6/M), 100 output at $15/M.
    expect(worstCaseMicros(200, 100, TIERED)).toBe(200 * 6 + 100 * 15);
  });

  it('holds a prompt that may pass the threshold at the tier: every price of every tier it could reach', () => {
    expect(worstCaseMicros(201, 100, TIERED)).toBe(201 * 12 + Math.ceil(100 * 22.5));
    const twoTiers: Pricing = { prompt: '1', completion: '2', tiers: [{ abovePromptTokens: 100, prompt: '4' }, { abovePromptTokens: 1000, completion: '8' }] };
    expect(worstCaseMicros(500, 10, twoTiers)).toBe(500 * 4 + 10 * 2);
    expect(worstCaseMicros(5000, 10, twoTiers)).toBe(5000 * 4 + 10 * 8);
  });

  it('is never below the cost of any usage the bound allows', () => {
    for (const promptTokens of [150, 200, 201, 5000]) {
      const worst = worstCaseMicros(promptTokens, 300, TIERED);
      const usages = [
        { ...emptyUsage(), promptTokens, completionTokens: 300 },
        { ...emptyUsage(), promptTokens, completionTokens: 300, cacheWriteTokens: promptTokens, cacheWrite1hTokens: promptTokens },
        { ...emptyUsage(), promptTokens, completionTokens: 300, reasoningTokens: 300, cachedTokens: promptTokens },
      ];
      for (const usage of usages) expect(worst).toBeGreaterThanOrEqual(costOf(usage, TIERED).totalMicros);
    }
  });
});

describe('the hold through the gateway', () => {
  let gateway: LocalGateway;
  const sim = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 };
  const catalog = {
    providers: { 'sim-tiered': { name: 'Sim Tiered', kind: 'openai', simulator: sim } },
    models: [
      {
        id: 'test/tiered',
        name: 'Test Tiered',
        created: 1767225600,
        endpoints: [
          { provider: 'sim-tiered', upstreamModel: 'tiered', pricing: TIERED, contextLength: 32_000, maxCompletionTokens: 4_096, supportedParameters: ['max_tokens'] },
        ],
      },
    ],
  };
  // Some 1,200 bytes: its bound passes the 200-token threshold whatever the tokenizer.
  const body = { model: 'test/tiered', messages: [{ role: 'user', content: 'Summarise this. '.repeat(75) }], max_tokens: 50 };

  beforeAll(async () => {
    gateway = await startTestGateway({ catalogDocument: catalog });
  });
  afterAll(async () => {
    await gateway.close();
  });

  const post = async (apiKey: string): Promise<Response> =>
    fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses with 402 a balance that covers the base tier but not the tier the prompt can reach', async () => {
    const tierWorst = worstCaseOf(body, TIERED);
    const baseWorst = worstCaseOf(body, { ...TIERED, tiers: undefined });
    expect(tierWorst).toBeGreaterThan(baseWorst);
    const { apiKey } = await accountWithKey(gateway.table, baseWorst + Math.floor((tierWorst - baseWorst) / 2));
    const response = await post(apiKey);
    expect(response.status).toBe(402);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/requires more credits/);
  });

  it('admits the request once the balance covers the tier', async () => {
    const { apiKey } = await accountWithKey(gateway.table, worstCaseOf(body, TIERED));
    const response = await post(apiKey);
    expect(response.status).toBe(200);
    await response.json();
  });
});
