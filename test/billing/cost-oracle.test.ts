// Cost as providers bill it, checked against an independent oracle: for a
// few hundred (model, provider, usage) cases drawn deterministically from the
// default catalog, `usage.cost` as Switchyard computes it (integer µ$, rounded
// up once) equals @pydantic/genai-prices' own calcPrice for the same provider
// and model, rounded up to a whole µ$. The draw leans on what peers get wrong:
// prompts above a tier's threshold, cache reads, 5-minute and 1-hour cache
// writes, reasoning tokens, audio and image input, per-request fees.
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { costOf, worstCaseMicros } from '../../lib/billing/cost.ts';
import { defaultCatalog, type Endpoint } from '../../lib/catalog/catalog.ts';
import type { Usage } from '../../lib/streaming/events.ts';
import { overlayProviders, PRICES_IN_EFFECT_ON } from '../../scripts/catalog/overlay.ts';
import { seededRandom } from './support/gated-upstream.ts';

const catalog = defaultCatalog();
const priced = catalog.endpoints.filter((endpoint) => endpoint.embedding === undefined && overlayProviders[endpoint.provider.id] !== undefined);
// Within every DeepSeek peak window: the catalog carries the peak price (it has no clock to know off-peak hours).
const at = new Date(`${PRICES_IN_EFFECT_ON}T02:00:00Z`);

interface Case {
  endpoint: Endpoint;
  usage: Usage;
}

function drawUsage(next: () => number, endpoint: Endpoint): Usage {
  const int = (max: number): number => Math.floor(next() * (max + 1));
  const threshold = endpoint.pricing.tiers?.[0]?.abovePromptTokens;
  // Around a tier's threshold half the time (either side of it, and on it), anywhere up to the context otherwise.
  const promptTokens =
    threshold !== undefined && next() < 0.5 ? threshold + int(4) - 2 + (next() < 0.5 ? int(50_000) : 0) : int(Math.min(endpoint.contextLength, 1_500_000));
  let left = promptTokens;
  const part = (share: number): number => {
    const tokens = Math.min(left, Math.floor(promptTokens * share * next()));
    left -= tokens;
    return tokens;
  };
  const audioPromptTokens = next() < (endpoint.pricing.audio === undefined ? 0.2 : 0.7) ? part(0.3) : 0;
  const imagePromptTokens = next() < 0.3 ? part(0.3) : 0;
  const textCached = next() < 0.6 ? part(0.6) : 0;
  const cachedAudioTokens = audioPromptTokens > 0 && next() < 0.5 ? int(audioPromptTokens) : 0;
  const writesPriced = endpoint.pricing.cacheWrite1h !== undefined;
  const cacheWriteTokens = next() < (writesPriced ? 0.8 : 0.4) ? part(0.5) : 0;
  const cacheWrite1hTokens = cacheWriteTokens > 0 && next() < (writesPriced ? 0.7 : 0.3) ? int(cacheWriteTokens) : 0;
  const completionTokens = int(Math.min(endpoint.maxCompletionTokens, 64_000));
  return {
    promptTokens,
    completionTokens,
    cachedTokens: textCached + cachedAudioTokens,
    cacheWriteTokens,
    cacheWrite1hTokens,
    reasoningTokens: next() < 0.5 ? int(completionTokens) : 0,
    audioPromptTokens,
    cachedAudioTokens,
    imagePromptTokens,
  };
}

function drawCases(count: number): Case[] {
  // Seeded: the same cases on every run.
  const next = seededRandom(20);
  // Two draws in three from the endpoints with something beyond a prompt and a completion price.
  const pools = [
    priced.filter((endpoint) => endpoint.pricing.tiers !== undefined),
    priced.filter((endpoint) => endpoint.pricing.cacheWrite1h !== undefined),
    priced.filter((endpoint) => endpoint.pricing.audio !== undefined || endpoint.pricing.image !== undefined),
    priced.filter((endpoint) => endpoint.pricing.request !== undefined),
    priced,
    priced,
  ];
  return Array.from({ length: count }, (_unused, index) => {
    const pool = pools[index % pools.length] as Endpoint[];
    const endpoint = pool[Math.floor(next() * pool.length)] as Endpoint;
    return { endpoint, usage: drawUsage(next, endpoint) };
  });
}

/** The oracle's usage: its token counts are partitions of `input_tokens` and `output_tokens`, as Switchyard's are. */
function oracleUsage(usage: Usage): Record<string, number> {
  return {
    input_tokens: usage.promptTokens,
    cache_read_tokens: usage.cachedTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    cache_write_1h_tokens: usage.cacheWrite1hTokens ?? 0,
    input_audio_tokens: usage.audioPromptTokens ?? 0,
    cache_audio_read_tokens: usage.cachedAudioTokens ?? 0,
    input_image_tokens: usage.imagePromptTokens ?? 0,
    output_tokens: usage.completionTokens,
    output_reasoning_tokens: usage.reasoningTokens,
  };
}

/** USD as a float → µ$ rounded up, forgiving the float's own rounding noise (never a whole µ$). */
function microsUp(usd: number): number {
  const micros = usd * 1_000_000;
  return Math.ceil(micros - Math.max(1, micros) * 1e-9);
}

const cases = drawCases(400);

describe('usage.cost against @pydantic/genai-prices', () => {
  it('draws a few hundred cases that cover tiers, cache writes by TTL, reasoning, audio and image input, and request fees', () => {
    const endpoints = new Set(cases.map((entry) => entry.endpoint.id));
    expect(endpoints.size).toBeGreaterThanOrEqual(150);
    const count = (predicate: (entry: Case) => boolean): number => cases.filter(predicate).length;
    expect(count(({ endpoint, usage }) => usage.promptTokens > (endpoint.pricing.tiers?.[0]?.abovePromptTokens ?? Infinity))).toBeGreaterThanOrEqual(30);
    expect(count(({ endpoint, usage }) => usage.promptTokens === endpoint.pricing.tiers?.[0]?.abovePromptTokens)).toBeGreaterThanOrEqual(3);
    expect(count(({ endpoint, usage }) => endpoint.pricing.cacheWrite1h !== undefined && (usage.cacheWrite1hTokens ?? 0) > 0)).toBeGreaterThanOrEqual(20);
    expect(count(({ endpoint, usage }) => endpoint.pricing.audio !== undefined && (usage.audioPromptTokens ?? 0) > 0)).toBeGreaterThanOrEqual(5);
    expect(count(({ endpoint, usage }) => endpoint.pricing.cacheRead !== undefined && usage.cachedTokens > 0)).toBeGreaterThanOrEqual(100);
    expect(count(({ endpoint }) => endpoint.pricing.request !== undefined)).toBeGreaterThanOrEqual(3);
    expect(count(({ usage }) => usage.reasoningTokens > 0)).toBeGreaterThanOrEqual(100);
  });

  it.each(cases.map((entry, index) => [index, entry.endpoint.id, entry] as const))('case %i (%s): the same cost, rounded up once', (_index, _id, { endpoint, usage }) => {
    const dataId = overlayProviders[endpoint.provider.id]?.dataId as string;
    const oracle = calcPrice(oracleUsage(usage), endpoint.upstreamModel, { providerId: dataId, timestamp: at });
    expect(oracle).not.toBeNull();
    const expected = oracle as NonNullable<typeof oracle>;
    const cost = costOf(usage, endpoint.pricing);
    const fees = expected.total_price - expected.input_price - expected.output_price;
    expect(cost.totalMicros).toBe(microsUp(expected.total_price));
    expect(cost.promptMicros).toBe(microsUp(expected.input_price + fees));
    expect(cost.completionMicros).toBe(microsUp(expected.output_price));
    // A hold is never smaller than what the request then costs.
    expect(worstCaseMicros(usage.promptTokens, usage.completionTokens, endpoint.pricing)).toBeGreaterThanOrEqual(cost.totalMicros);
  });
});
