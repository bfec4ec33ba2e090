// GET /models/{author}/{slug}/endpoints on the shipped catalog, under both
// /api/v1 and /v1 and without a key: each provider that serves the model,
// at the price @pydantic/genai-prices gives for that provider (base prices,
// cache reads and writes by TTL, tiers above a prompt size as `overrides`).
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { overlayProviders, PRICES_IN_EFFECT_ON } from '../../scripts/catalog/overlay.ts';
import { startTestGateway } from '../support/local-gateway.ts';

interface WireEndpoint {
  tag: string;
  provider_name: string;
  context_length: number;
  pricing: Record<string, string | number | Record<string, unknown>[]>;
}

let gateway: LocalGateway;
let origin: string;
beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: undefined });
  origin = new URL(gateway.baseUrl).origin;
});
afterAll(async () => {
  await gateway.close();
});

async function endpointsOf(prefix: '/api/v1' | '/v1', id: string): Promise<{ status: number; endpoints: WireEndpoint[] }> {
  const response = await fetch(`${origin}${prefix}/models/${id}/endpoints`);
  const body = (await response.json()) as { data: { endpoints: WireEndpoint[] } };
  return { status: response.status, endpoints: body.data.endpoints };
}

/** Price data for `tokens` of one kind, USD per token. */
function dataPrice(tag: string, upstreamModel: string, usage: Record<string, number>): { input: number; output: number } {
  const dataId = overlayProviders[tag]?.dataId as string;
  const price = calcPrice(usage, upstreamModel, { providerId: dataId, timestamp: new Date(`${PRICES_IN_EFFECT_ON}T02:00:00Z`) });
  if (price === null) throw new Error(`no price for ${tag} ${upstreamModel}`);
  return { input: price.input_price, output: price.output_price };
}

describe('GET /models/{id}/endpoints on the default catalog', () => {
  it.each(['/api/v1', '/v1'] as const)("lists Claude Sonnet 4.5 on each provider at the data's price, tiers included (%s, no key)", async (prefix) => {
    const { status, endpoints } = await endpointsOf(prefix, 'anthropic/claude-sonnet-4.5');
    expect(status).toBe(200);
    expect(endpoints.map((endpoint) => endpoint.tag)).toEqual(['anthropic', 'amazon-bedrock', 'openrouter']);
    const anthropic = endpoints[0] as WireEndpoint;
    expect(anthropic.pricing).toMatchObject({
      prompt: '0.000003',
      completion: '0.000015',
      input_cache_read: '0.0000003',
      input_cache_write: '0.00000375',
      input_cache_write_1h: '0.000006',
      overrides: [{ min_prompt_tokens: 200_000, prompt: '0.000006', completion: '0.0000225', input_cache_read: '0.0000006', input_cache_write: '0.0000075' }],
    });
  });

  it("shows every endpoint of a sample of models at the price @pydantic/genai-prices gives for that provider", async () => {
    const catalog = gateway.catalog;
    const models = ['openai/gpt-5', 'openai/gpt-4o-mini', 'google/gemini-2.5-pro', 'meta-llama/llama-3.3-70b-instruct', 'deepseek/deepseek-chat', 'x-ai/grok-4', 'openai/gpt-oss-120b', 'moonshotai/kimi-k2'];
    let checked = 0;
    for (const id of models) {
      const { status, endpoints } = await endpointsOf('/api/v1', id);
      expect(status, id).toBe(200);
      const model = catalog.models.get(id);
      expect(endpoints.map((endpoint) => endpoint.tag)).toEqual(model?.endpoints.map((endpoint) => endpoint.tag));
      for (const [index, wire] of endpoints.entries()) {
        const upstream = model?.endpoints[index]?.upstreamModel as string;
        // A thousand tokens each way stays below every tier: USD per token × 1000.
        const base = dataPrice(wire.tag, upstream, { input_tokens: 1000, output_tokens: 1000 });
        expect(Number(wire.pricing.prompt) * 1000, `${id}@${wire.tag} prompt`).toBeCloseTo(base.input, 15);
        expect(Number(wire.pricing.completion) * 1000, `${id}@${wire.tag} completion`).toBeCloseTo(base.output, 15);
        const cached = dataPrice(wire.tag, upstream, { input_tokens: 1000, cache_read_tokens: 1000, output_tokens: 0 });
        expect(Number(wire.pricing.input_cache_read) * 1000, `${id}@${wire.tag} cache read`).toBeCloseTo(cached.input, 15);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('answers 404 for a model the catalog does not have', async () => {
    const response = await fetch(`${origin}/v1/models/nobody/nothing/endpoints`);
    expect(response.status).toBe(404);
  });
});
