// GET /api/v1/models in OpenRouter's Model shape (openrouter-api.md §1.5):
// prices as decimal strings of USD per token.
import type { Catalog, Endpoint, Model } from '../catalog/catalog.ts';
import { picoPerToken } from '../billing/cost.ts';

/** "0.15" USD per million tokens → "0.00000015" USD per token, exactly. */
export function usdPerToken(perMillion: string): string {
  const pico = picoPerToken(perMillion); // 10^-12 USD per token
  if (pico === 0n) return '0';
  const digits = pico.toString().padStart(13, '0');
  const whole = digits.slice(0, -12);
  const fraction = digits.slice(-12).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

const blended = (endpoint: Endpoint): bigint => picoPerToken(endpoint.pricing.prompt) + picoPerToken(endpoint.pricing.completion);

function cheapest(model: Model): Endpoint {
  return model.endpoints.reduce((best, endpoint) => (blended(endpoint) < blended(best) ? endpoint : best));
}

function wirePricing(endpoint: Endpoint): Record<string, string> {
  const { pricing } = endpoint;
  return {
    prompt: usdPerToken(pricing.prompt),
    completion: usdPerToken(pricing.completion),
    request: pricing.request === undefined ? '0' : pricing.request,
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: usdPerToken(pricing.cacheRead ?? pricing.prompt),
    input_cache_write: usdPerToken(pricing.cacheWrite ?? pricing.prompt),
  };
}

export function modelToWire(model: Model): Record<string, unknown> {
  const top = cheapest(model);
  const inputModalities = [...new Set(model.endpoints.flatMap((endpoint) => endpoint.inputModalities))];
  const parameters = [...new Set(model.endpoints.flatMap((endpoint) => [...endpoint.supportedParameters]))].sort();
  // OpenRouter's vocabulary: an embedding model outputs `embeddings`.
  const output = model.endpoints.some((endpoint) => endpoint.embedding !== undefined) ? 'embeddings' : 'text';
  return {
    id: model.id,
    canonical_slug: model.id,
    hugging_face_id: null,
    name: model.name,
    created: model.created,
    description: model.description ?? '',
    context_length: model.contextLength,
    architecture: {
      modality: `${inputModalities.join('+')}->${output}`,
      input_modalities: inputModalities,
      output_modalities: [output],
      tokenizer: model.tokenizer,
      instruct_type: null,
    },
    pricing: wirePricing(top),
    top_provider: { context_length: top.contextLength, max_completion_tokens: top.maxCompletionTokens, is_moderated: false },
    per_request_limits: null,
    supported_parameters: parameters,
    default_parameters: null,
    links: { details: `/api/v1/models/${model.id}/endpoints` },
  };
}

/** The catalog's models (those `include` keeps, when given) in OpenRouter's shape. */
export function listModels(catalog: Catalog, include?: (model: Model) => boolean): Record<string, unknown> {
  const models = [...catalog.models.values()];
  return { data: (include === undefined ? models : models.filter(include)).map(modelToWire) };
}
