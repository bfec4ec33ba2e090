// GET /api/v1/models/{author}/{slug}/endpoints: a model's endpoints in
// OpenRouter's `PublicEndpoint` shape (openrouter-api.md §1.5), with latency
// and throughput from this container's health view. Uptime percentages are
// not tracked, so they are null ("too little data", as OpenRouter says).
import { notFound } from '../api/errors.ts';
import type { Catalog, Endpoint, Model } from '../catalog/catalog.ts';
import type { PriceTier } from '../catalog/schema.ts';
import type { HealthView } from '../routing/types.ts';
import { modelToWire, usdPerToken } from './models.ts';

/** The catalog's price names → OpenRouter's `pricing` keys (USD per token). */
const wireKeys = {
  prompt: 'prompt',
  completion: 'completion',
  cacheRead: 'input_cache_read',
  cacheWrite: 'input_cache_write',
  cacheWrite1h: 'input_cache_write_1h',
  reasoning: 'internal_reasoning',
  audio: 'audio',
  audioCacheRead: 'input_audio_cache',
  image: 'image_token',
} as const satisfies Record<keyof Omit<PriceTier, 'abovePromptTokens'>, string>;

/**
 * An endpoint's prices as the catalog has them, in OpenRouter's shape:
 * decimal strings of USD per token, the per-request fee in USD, and prices
 * above a prompt size as `overrides` (`min_prompt_tokens`: strictly more
 * prompt tokens than this, as OpenRouter defines it).
 */
export function endpointPricing(endpoint: Endpoint): Record<string, unknown> {
  const { pricing } = endpoint;
  const wire: Record<string, unknown> = {
    prompt: usdPerToken(pricing.prompt),
    completion: usdPerToken(pricing.completion),
    request: pricing.request ?? '0',
    image: '0',
    web_search: '0',
    // Reasoning is billed as output unless the provider prices it apart.
    internal_reasoning: pricing.reasoning === undefined ? '0' : usdPerToken(pricing.reasoning),
    input_cache_read: usdPerToken(pricing.cacheRead ?? pricing.prompt),
    input_cache_write: usdPerToken(pricing.cacheWrite ?? pricing.prompt),
  };
  if (pricing.cacheWrite1h !== undefined) wire.input_cache_write_1h = usdPerToken(pricing.cacheWrite1h);
  if (pricing.audio !== undefined) wire.audio = usdPerToken(pricing.audio);
  if (pricing.audioCacheRead !== undefined) wire.input_audio_cache = usdPerToken(pricing.audioCacheRead);
  if (pricing.image !== undefined) wire.image_token = usdPerToken(pricing.image);
  wire.discount = 0;
  if (pricing.tiers !== undefined) {
    wire.overrides = pricing.tiers.map((tier) => {
      const override: Record<string, unknown> = { min_prompt_tokens: tier.abovePromptTokens };
      for (const [key, name] of Object.entries(wireKeys) as [keyof typeof wireKeys, string][]) {
        const price = tier[key];
        if (price !== undefined) override[name] = usdPerToken(price);
      }
      return override;
    });
  }
  return wire;
}

/** OpenAI and Gemini cache long prompts by themselves; Anthropic and Bedrock need cache_control. */
const implicitCaching = (endpoint: Endpoint): boolean =>
  endpoint.pricing.cacheRead !== undefined && (endpoint.provider.kind === 'openai' || endpoint.provider.kind === 'gemini');

export function publicEndpoint(model: Model, endpoint: Endpoint, health: HealthView, now: number): Record<string, unknown> {
  const state = health.endpoint(endpoint.id, now);
  return {
    name: `${endpoint.provider.name}: ${model.name}`,
    model_id: model.id,
    model_name: model.name,
    provider_name: endpoint.provider.name,
    tag: endpoint.tag,
    context_length: endpoint.contextLength,
    max_completion_tokens: endpoint.maxCompletionTokens,
    max_prompt_tokens: endpoint.contextLength,
    pricing: endpointPricing(endpoint),
    quantization: endpoint.quantization,
    supported_parameters: [...endpoint.supportedParameters].sort(),
    // OpenRouter leaves the codes undocumented; Switchyard: 0 = serving, -1 = breaker open.
    status: state.degraded ? -1 : 0,
    uptime_last_5m: null,
    uptime_last_30m: null,
    uptime_last_1d: null,
    latency_last_30m: state.latencyMs ?? null,
    throughput_last_30m: state.throughputTps ?? null,
    supports_implicit_caching: implicitCaching(endpoint),
  };
}

/** `openai%2Fgpt-4o:nitro` style escapes decoded; a malformed escape is kept as sent (and names no model). */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function modelEndpointsRoute(catalog: Catalog, health: HealthView, author: string, slug: string, now: number): Record<string, unknown> {
  const id = `${decodePart(author)}/${decodePart(slug)}`;
  const model = catalog.models.get(id);
  if (model === undefined) throw notFound(`Model ${id} not found`);
  const wire = modelToWire(model);
  return {
    data: {
      id: model.id,
      name: model.name,
      created: model.created,
      description: wire.description,
      architecture: wire.architecture,
      endpoints: model.endpoints.map((endpoint) => publicEndpoint(model, endpoint, health, now)),
    },
  };
}
