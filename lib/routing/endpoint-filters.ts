// Hard filters: an endpoint that fails one is not tried at all. Each names
// the filter with OpenRouter's `excluded_by` vocabulary
// (openrouter-api.md §3.2) and the message a 404 would carry.
import type { ProviderPreferences } from '../api/chat-request.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { compareDecimal, decimalFromLimit } from './decimal.ts';
import { matchesAny } from './provider-match.ts';
import type { ParameterNeed, RequestNeeds } from './request-needs.ts';

export type ExcludedBy =
  | 'allowed_providers'
  | 'quantization'
  | 'data_policy:training'
  | 'data_policy:zdr'
  | 'max_price'
  | 'require_parameters'
  | 'context_length'
  | 'output_modality'
  // Switchyard's: the provider's credential is not configured (credential-readiness.ts).
  | 'credential';

export interface Exclusion {
  excludedBy: ExcludedBy;
  /** Why, as a 404 message would say it; never request content. */
  message: string;
}

type Filter = (endpoint: Endpoint, needs: RequestNeeds, preferences: ProviderPreferences) => Exclusion | undefined;

const allowedProviders: Filter = (endpoint, _needs, preferences) => {
  const excluded =
    (preferences.only !== undefined && !matchesAny(endpoint, preferences.only)) ||
    (preferences.ignore !== undefined && matchesAny(endpoint, preferences.ignore)) ||
    // Without fallbacks, `order` is an allowlist.
    (preferences.allow_fallbacks === false && preferences.order !== undefined && !matchesAny(endpoint, preferences.order));
  return excluded
    ? { excludedBy: 'allowed_providers', message: 'No allowed providers are available for the selected model' }
    : undefined;
};

const quantization: Filter = (endpoint, _needs, preferences) => {
  if (preferences.quantizations === undefined) return undefined;
  const own = endpoint.quantization ?? 'unknown';
  return preferences.quantizations.includes(own)
    ? undefined
    : { excludedBy: 'quantization', message: `No endpoints found with quantization ${preferences.quantizations.join(', ')}` };
};

const dataCollection: Filter = (endpoint, _needs, preferences) => {
  const policy = endpoint.provider.dataPolicy;
  return preferences.data_collection === 'deny' && (policy.training || policy.retainsPrompts)
    ? { excludedBy: 'data_policy:training', message: 'No endpoints found matching your data policy (data_collection: deny)' }
    : undefined;
};

const zeroDataRetention: Filter = (endpoint, _needs, preferences) => {
  return preferences.zdr === true && !endpoint.provider.dataPolicy.zdr
    ? { excludedBy: 'data_policy:zdr', message: 'No endpoints found matching your data policy (zdr)' }
    : undefined;
};

const maxPrice: Filter = (endpoint, _needs, preferences) => {
  const limits = preferences.max_price;
  if (limits === undefined) return undefined;
  // The catalog has no image or audio prices, so those limits cannot exclude.
  const prices: [number | string | undefined, string][] = [
    [limits.prompt, endpoint.pricing.prompt],
    [limits.completion, endpoint.pricing.completion],
    [limits.request, endpoint.pricing.request ?? '0'],
  ];
  const over = prices.some(([limit, price]) => limit !== undefined && compareDecimal(price, decimalFromLimit(limit)) > 0);
  return over ? { excludedBy: 'max_price', message: 'No endpoints found within your max_price' } : undefined;
};

/** Capabilities are required whatever `require_parameters` says: a tool call or an image cannot be dropped. */
const capabilities: Filter = (endpoint, needs) => {
  if (needs.tools && !endpoint.supportedParameters.has('tools')) {
    return { excludedBy: 'require_parameters', message: 'No endpoints found that support tool use' };
  }
  const modality = needs.modalities.find((wanted) => !endpoint.inputModalities.includes(wanted));
  return modality === undefined
    ? undefined
    : { excludedBy: 'require_parameters', message: `No endpoints found that support ${modality} input` };
};

/** An embedding endpoint serves only /embeddings, and only embedding endpoints serve it. */
const outputModality: Filter = (endpoint, needs) => {
  const embeds = endpoint.embedding !== undefined;
  if (needs.output === 'embeddings' && !embeds) {
    return { excludedBy: 'output_modality', message: `${endpoint.modelId} does not produce embeddings: POST /embeddings takes an embedding model` };
  }
  if (needs.output === 'text' && embeds) {
    return { excludedBy: 'output_modality', message: `${endpoint.modelId} is an embedding model: send it to POST /embeddings` };
  }
  return undefined;
};

const requireParameters: Filter = (endpoint, needs, preferences) => {
  if (preferences.require_parameters !== true) return undefined;
  const missing = needs.parameters.filter((need) => !supports(endpoint, need)).map((need) => need.name);
  return missing.length === 0
    ? undefined
    : { excludedBy: 'require_parameters', message: `No endpoints found that support all the requested parameters (${missing.join(', ')})` };
};

const contextLength: Filter = (endpoint, needs) => {
  if (needs.maxTokens !== undefined && needs.maxTokens > endpoint.maxCompletionTokens) {
    return { excludedBy: 'context_length', message: `No endpoints found that allow ${needs.maxTokens} output tokens` };
  }
  // Without a cap the reply needs room for at least one token.
  const needed = needs.promptTokens + (needs.maxTokens ?? 1);
  return needed > endpoint.contextLength
    ? { excludedBy: 'context_length', message: `No endpoints found with a context length of at least ${needed} tokens` }
    : undefined;
};

const filters: readonly Filter[] = [
  outputModality,
  allowedProviders,
  quantization,
  dataCollection,
  zeroDataRetention,
  maxPrice,
  capabilities,
  requireParameters,
  contextLength,
];

/** The first filter the endpoint fails, or undefined when it may serve the request. */
export function hardFilter(endpoint: Endpoint, needs: RequestNeeds, preferences: ProviderPreferences): Exclusion | undefined {
  for (const filter of filters) {
    const exclusion = filter(endpoint, needs, preferences);
    if (exclusion !== undefined) return exclusion;
  }
  return undefined;
}

/**
 * OpenRouter's soft rule for structured output and verbosity: when some of a
 * model's endpoints support the parameter only those are used; when none
 * do, the parameter is dropped instead (§3.2).
 */
const preferredParameters = new Set(['response_format', 'structured_outputs', 'verbosity']);

export function narrowToSupporting(endpoints: readonly Endpoint[], needs: RequestNeeds): Map<Endpoint, Exclusion> {
  const excluded = new Map<Endpoint, Exclusion>();
  let remaining = [...endpoints];
  for (const need of needs.parameters) {
    if (!preferredParameters.has(need.name)) continue;
    const supporting = remaining.filter((endpoint) => supports(endpoint, need));
    if (supporting.length === 0) continue;
    for (const endpoint of remaining) {
      if (!supporting.includes(endpoint)) {
        excluded.set(endpoint, { excludedBy: 'require_parameters', message: `No endpoints found that support ${need.name}` });
      }
    }
    remaining = supporting;
  }
  return excluded;
}

function supports(endpoint: Endpoint, need: ParameterNeed): boolean {
  return need.anyOf.some((name) => endpoint.supportedParameters.has(name));
}
