// The shipped catalog is generated (npm run catalog): these tests fail when
// the committed file and the generator disagree, and pin what a user relies
// on in it — OpenRouter's model ids, the providers of each model at the
// price the data gives for that provider, only wires the gateway speaks.
import { readFile } from 'node:fs/promises';
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../lib/catalog/catalog.ts';
import { catalogFile } from '../../lib/catalog/schema.ts';
import { DEFAULT_CATALOG_FILE } from '../../scripts/catalog.ts';
import { generateCatalog, renderCatalog } from '../../scripts/catalog/generate.ts';
import { overlayProviders, PRICES_IN_EFFECT_ON } from '../../scripts/catalog/overlay.ts';

const committed = await readFile(DEFAULT_CATALOG_FILE, 'utf8');
const generated = generateCatalog();

/** Every model id the hand-written catalog had: tests, docs and users' code name them. */
const earlierModelIds = [
  'openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/gpt-4.1', 'openai/gpt-4.1-mini', 'anthropic/claude-sonnet-4.5', 'anthropic/claude-haiku-4.5',
  'google/gemini-2.5-flash', 'google/gemini-2.5-pro', 'amazon/nova-micro-v1', 'amazon/nova-lite-v1', 'meta-llama/llama-3.3-70b-instruct',
  'meta-llama/llama-3.1-8b-instruct', 'mistralai/mistral-large', 'mistralai/mistral-small', 'simulator/fast', 'simulator/claude-like',
  'simulator/gemini-like', 'simulator/flaky', 'openai/text-embedding-3-small', 'openai/text-embedding-3-large', 'google/gemini-embedding-001',
  'amazon/titan-embed-text-v2', 'cohere/embed-english-v3', 'simulator/embed',
];

describe('the generated default catalog', () => {
  it('is what the generator makes of the data packages and the overlay (run `npm run catalog` after changing either)', () => {
    expect(committed).toBe(renderCatalog(generated));
    // Deterministic: a second run gives the same bytes.
    expect(renderCatalog(generateCatalog())).toBe(committed);
  });

  it('is already its own validated form, so the gateway loads it without validating it again', () => {
    const document: unknown = JSON.parse(committed);
    expect(catalogFile.parse(document)).toEqual(document);
  });

  it('has several hundred models under OpenRouter ids, and every model the hand-written catalog had', () => {
    const catalog = defaultCatalog();
    expect(catalog.models.size).toBeGreaterThanOrEqual(280);
    expect(catalog.endpoints.length).toBeGreaterThanOrEqual(500);
    for (const id of earlierModelIds) expect(catalog.models.has(id), id).toBe(true);
    for (const id of ['openai/gpt-5', 'openai/o3', 'anthropic/claude-opus-4.5', 'deepseek/deepseek-chat', 'x-ai/grok-4', 'qwen/qwen3-235b-a22b', 'moonshotai/kimi-k2']) {
      expect(catalog.models.has(id), id).toBe(true);
    }
    for (const model of catalog.models.values()) expect(model.id).toMatch(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9._:-]+$/);
  });

  it('lists a model on every provider that serves it, on the wires the gateway speaks', () => {
    const catalog = defaultCatalog();
    expect(new Set([...catalog.providers.values()].map((provider) => provider.kind))).toEqual(new Set(['openai', 'anthropic', 'gemini', 'bedrock']));
    const tags = (id: string): string[] => catalog.models.get(id)?.endpoints.map((endpoint) => endpoint.tag) ?? [];
    expect(tags('anthropic/claude-sonnet-4.5')).toEqual(['anthropic', 'amazon-bedrock', 'openrouter']);
    expect(tags('meta-llama/llama-3.3-70b-instruct')).toEqual(expect.arrayContaining(['amazon-bedrock', 'groq', 'together', 'openrouter']));
    expect(tags('openai/gpt-oss-120b')).toEqual(expect.arrayContaining(['openai', 'groq', 'fireworks', 'openrouter']));
    // The ids the earlier catalog sent upstream still go upstream.
    const upstream = (id: string, tag: string): string | undefined => catalog.models.get(id)?.endpoints.find((endpoint) => endpoint.tag === tag)?.upstreamModel;
    expect(upstream('anthropic/claude-sonnet-4.5', 'anthropic')).toBe('claude-sonnet-4-5-20250929');
    expect(upstream('anthropic/claude-sonnet-4.5', 'amazon-bedrock')).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstream('meta-llama/llama-3.3-70b-instruct', 'groq')).toBe('llama-3.3-70b-versatile');
    expect(upstream('mistralai/mistral-large', 'mistral')).toBe('mistral-large-latest');
    expect(upstream('anthropic/claude-sonnet-4.5', 'openrouter')).toBe('anthropic/claude-sonnet-4.5');
    // The simulator's providers and models are as they were.
    expect(catalog.models.get('simulator/flaky')?.endpoints.map((endpoint) => endpoint.provider.simulator?.failure?.mode)).toEqual(['status', undefined]);
  });

  it('keeps what the hand-written catalog said its models take: images, files, reasoning, tools', () => {
    const catalog = defaultCatalog();
    const endpoint = (id: string, tag: string) => catalog.models.get(id)?.endpoints.find((entry) => entry.tag === tag);
    expect(endpoint('anthropic/claude-sonnet-4.5', 'anthropic')?.inputModalities).toEqual(['text', 'image', 'file']);
    expect(endpoint('anthropic/claude-sonnet-4.5', 'amazon-bedrock')?.inputModalities).toEqual(['text', 'image']);
    expect([...(endpoint('anthropic/claude-sonnet-4.5', 'anthropic')?.supportedParameters ?? [])]).toEqual(expect.arrayContaining(['reasoning', 'include_reasoning', 'tools']));
    expect(endpoint('google/gemini-2.5-flash', 'google-ai-studio')?.inputModalities).toEqual(['text', 'image', 'file', 'audio', 'video']);
    expect([...(endpoint('google/gemini-2.5-pro', 'google-ai-studio')?.supportedParameters ?? [])]).toEqual(expect.arrayContaining(['reasoning', 'tools']));
    expect(endpoint('openai/gpt-4o-mini', 'openai')?.inputModalities).toEqual(['text', 'image', 'file']);
    expect(endpoint('amazon/nova-lite-v1', 'amazon-bedrock')?.inputModalities).toEqual(['text', 'image']);
    expect(endpoint('mistralai/mistral-small', 'mistral')?.inputModalities).toEqual(['text', 'image']);
  });

  it("carries each provider's own price for a model, as @pydantic/genai-prices computes it", () => {
    const catalog = defaultCatalog();
    // A thousand tokens each way: below every tier, so the base prices (USD per million) show.
    const usage = { input_tokens: 1000, output_tokens: 1000 };
    let checked = 0;
    for (const endpoint of catalog.endpoints) {
      const overlay = overlayProviders[endpoint.provider.id];
      if (overlay === undefined || endpoint.embedding !== undefined) continue;
      const price = calcPrice(usage, endpoint.upstreamModel, { providerId: overlay.dataId, timestamp: new Date(`${PRICES_IN_EFFECT_ON}T02:00:00Z`) });
      // At 02:00 UTC, within every DeepSeek peak window: the catalog carries the peak price.
      expect(price, `${endpoint.id}: the data prices the id sent upstream`).not.toBeNull();
      if (price === null) continue;
      checked += 1;
      const { prompt, completion, request } = endpoint.pricing;
      expect((Number(prompt) + Number(completion)) / 1000 + Number(request ?? 0), endpoint.id).toBeCloseTo(price.total_price, 12);
    }
    expect(checked).toBeGreaterThanOrEqual(480);
  });
});
