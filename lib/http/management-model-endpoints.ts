// GET /api/v1/models/{author}/{slug}/endpoints: a model's endpoints in
// OpenRouter's `PublicEndpoint` shape (openrouter-api.md §1.5), with latency
// and throughput from this container's health view. Uptime percentages are
// not tracked, so they are null ("too little data", as OpenRouter says).
import { notFound } from '../api/errors.ts';
import type { Catalog, Endpoint, Model } from '../catalog/catalog.ts';
import type { HealthView } from '../routing/types.ts';
import { modelToWire, usdPerToken } from './models.ts';

function endpointPricing(endpoint: Endpoint): Record<string, string | number> {
  const { pricing } = endpoint;
  return {
    prompt: usdPerToken(pricing.prompt),
    completion: usdPerToken(pricing.completion),
    request: pricing.request ?? '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: usdPerToken(pricing.cacheRead ?? pricing.prompt),
    input_cache_write: usdPerToken(pricing.cacheWrite ?? pricing.prompt),
    discount: 0,
  };
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
