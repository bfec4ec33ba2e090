// The catalog is data: providers (wire kind, base URL, credential name, data
// policy, simulator behaviour) and models with their endpoints (upstream model
// id, prices, limits, quantization, supported parameters). DESIGN decision 13.
import { z } from 'zod';
import { tokenEncodingNames } from '../tokens/encodings.ts';

/** USD per million tokens as a decimal string: "0.15", "3", "0.075". */
export const usdPerMillion = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal string of USD per million tokens with at most 6 decimals');

export const wireKind = z.enum(['openai', 'anthropic', 'gemini', 'bedrock']);
export type WireKind = z.infer<typeof wireKind>;

/** How a simulated provider behaves; see lib/providers/simulator. */
export const simulatorBehaviour = z.object({
  /** Milliseconds before the first token (and before response headers for JSON replies). */
  firstTokenMs: z.number().int().nonnegative().default(20),
  /** Output tokens per second once streaming; 0 means as fast as possible. */
  tokensPerSecond: z.number().nonnegative().default(200),
  /** Output tokens per reply, capped by the request's max tokens. */
  outputTokens: z.number().int().positive().default(24),
  /** What goes wrong, if anything. */
  failure: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('status'), status: z.number().int().min(400).max(599), retryAfterSeconds: z.number().int().nonnegative().optional() }),
      z.object({ mode: z.literal('stall') }),
      z.object({ mode: z.literal('drop'), afterTokens: z.number().int().nonnegative() }),
      z.object({ mode: z.literal('malformed'), afterTokens: z.number().int().nonnegative() }),
      z.object({ mode: z.literal('error-event') }),
    ])
    .optional(),
  /** Fraction of requests (0..1) that fail; 1 when omitted and `failure` is set. */
  failureRate: z.number().min(0).max(1).optional(),
});
export type SimulatorBehaviour = z.infer<typeof simulatorBehaviour>;

export const providerEntry = z.object({
  /** Display name, as OpenRouter puts it in responses' `provider` field. */
  name: z.string().min(1),
  kind: wireKind,
  /**
   * Base URL of the API. `${SIMULATOR_URL}` is replaced by the local
   * simulator's address; simulated providers may leave it out.
   */
  baseUrl: z.string().optional(),
  /** Name of the credential: an environment variable locally, a key of the secret on AWS. */
  credential: z.string().optional(),
  /** AWS region, for `bedrock`. */
  region: z.string().optional(),
  dataPolicy: z
    .object({
      /** Whether the provider may train on or keep prompts (`data_collection: deny` excludes it). */
      training: z.boolean().default(false),
      retainsPrompts: z.boolean().default(false),
      zdr: z.boolean().default(false),
    })
    .default({ training: false, retainsPrompts: false, zdr: false }),
  simulator: simulatorBehaviour.optional(),
  /**
   * Whether the scheduled health probe sends this provider's endpoints a
   * one-token request each minute. Off for a router (OpenRouter), whose
   * hundreds of endpoints fail over upstream by themselves: real traffic
   * still feeds their breakers.
   */
  healthProbe: z.boolean().default(true),
  /** Extra headers every upstream request carries (never secrets: those come from credentials). */
  headers: z.record(z.string(), z.string()).optional(),
  /**
   * How the provider counts usage, where it departs from its wire's
   * convention. `reasoningOutsideCompletion`: its `completion_tokens` leave
   * the reasoning tokens out (xAI), so the gateway adds them and bills what
   * was produced; OpenAI's include them.
   */
  usageCounting: z.object({ reasoningOutsideCompletion: z.boolean().optional() }).optional(),
  /**
   * OpenRouter's own request fields this host takes, passed on as the caller
   * sent them (an OpenRouter upstream): `reasoning` (the object, in place of
   * `reasoning_effort`; to endpoints that take reasoning), `transforms`,
   * `session_id`. Never `provider` (the gateway's own routing reads it, with
   * its own provider slugs) nor `plugins` (paid features the catalog's price
   * does not cover).
   */
  requestFields: z.array(z.enum(['reasoning', 'transforms', 'session_id'])).optional(),
  /**
   * An Azure OpenAI resource (an `openai`-wire provider): the key goes in the
   * `api-key` header. `deployments`: the base URL is
   * `https://{resource}.openai.azure.com/openai`, each endpoint's upstream id
   * is a deployment name, requests go to
   * `/deployments/{deployment}/chat/completions?api-version=…` without a
   * model in the body. `v1`: the base URL is
   * `https://{resource}.openai.azure.com/openai/v1`, the model is in the body
   * and `api-version` is optional.
   */
  azure: z
    .object({ route: z.enum(['deployments', 'v1']), apiVersion: z.string().min(1).optional() })
    .refine((azure) => azure.route !== 'deployments' || azure.apiVersion !== undefined, {
      message: 'the deployments route needs an apiVersion',
      path: ['apiVersion'],
    })
    .optional(),
});
export type ProviderEntry = z.infer<typeof providerEntry>;

/** The prices beside `prompt` and `completion`, each optional, each in USD per million tokens. */
const specificPrices = {
  /** Cache reads; the prompt price when absent. */
  cacheRead: usdPerMillion.optional(),
  /** Cache writes (Anthropic's 5-minute TTL, the default one); the prompt price when absent. */
  cacheWrite: usdPerMillion.optional(),
  /** Cache writes with a 1-hour TTL; the cache-write price when absent. */
  cacheWrite1h: usdPerMillion.optional(),
  /** Reasoning tokens, where a provider bills them apart from other output; the completion price when absent. */
  reasoning: usdPerMillion.optional(),
  /** Audio input tokens; the prompt price when absent. */
  audio: usdPerMillion.optional(),
  /** Audio input tokens read from the cache; the cache-read price when absent (the audio price when that is absent too). */
  audioCacheRead: usdPerMillion.optional(),
  /** Image input tokens; the prompt price when absent. */
  image: usdPerMillion.optional(),
};

/**
 * Prices that change with the prompt's size. Each key is optional: an
 * absent key keeps the base price (or the price of a lower tier that has it).
 */
export const priceTier = z.object({
  /** The tier's prices apply to the whole request when its prompt has more tokens than this (Anthropic and Google: 200000). */
  abovePromptTokens: z.number().int().nonnegative(),
  prompt: usdPerMillion.optional(),
  completion: usdPerMillion.optional(),
  ...specificPrices,
});
export type PriceTier = z.infer<typeof priceTier>;

export const pricing = z.object({
  prompt: usdPerMillion,
  completion: usdPerMillion,
  ...specificPrices,
  /** A flat price per request, in USD (not per million). */
  request: usdPerMillion.optional(),
  /** Prices above a prompt size, in ascending order of `abovePromptTokens`. */
  tiers: z
    .array(priceTier)
    .refine((tiers) => tiers.every((tier, index) => index === 0 || tier.abovePromptTokens > (tiers[index - 1]?.abovePromptTokens ?? -1)), 'must be in ascending order of abovePromptTokens')
    .optional(),
});
export type Pricing = z.infer<typeof pricing>;

export const supportedParameter = z.enum([
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'top_a',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'max_tokens',
  'max_completion_tokens',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'prediction',
  'seed',
  'response_format',
  'structured_outputs',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'include_reasoning',
  'reasoning',
  'reasoning_effort',
  'web_search_options',
  'verbosity',
]);
export type SupportedParameter = z.infer<typeof supportedParameter>;

export const quantization = z.enum([
  'int4', 'int8', 'fp4', 'mxfp4', 'nvfp4', 'fp6', 'fp8', 'mxfp8', 'fp16', 'bf16', 'fp32', 'unknown',
]);

/** What an embedding endpoint returns, and which lengths a request's `dimensions` may ask for. */
export const embeddingCapability = z.object({
  /** Length of the vectors the endpoint returns when `dimensions` is not given. */
  dimensions: z.number().int().positive(),
  /**
   * The lengths `dimensions` may ask for: `any` length from 1 to `dimensions`
   * (shortened vectors, as OpenAI's text-embedding-3 and Gemini's
   * outputDimensionality), or only the listed ones (Titan v2: 256, 512, 1024).
   * Absent: the endpoint takes no `dimensions`.
   */
  dimensionsParameter: z.union([z.literal('any'), z.array(z.number().int().positive()).min(1)]).optional(),
});
export type EmbeddingCapability = z.infer<typeof embeddingCapability>;

export const endpointEntry = z.object({
  /** Key of the provider in `providers`. */
  provider: z.string().min(1),
  /** The model id the upstream API knows. */
  upstreamModel: z.string().min(1),
  /** Routing slug (`provider.order` matches it); the provider key when absent. */
  tag: z.string().optional(),
  pricing,
  contextLength: z.number().int().positive(),
  maxCompletionTokens: z.number().int().positive(),
  quantization: quantization.nullable().default(null),
  supportedParameters: z.array(supportedParameter),
  inputModalities: z.array(z.enum(['text', 'image', 'file', 'audio', 'video'])).default(['text']),
  /** Set on an embedding endpoint: it serves POST /embeddings (and never chat); its prices are per million input tokens. */
  embedding: embeddingCapability.optional(),
});
export type EndpointEntry = z.infer<typeof endpointEntry>;

/**
 * The byte-pair encoding Switchyard counts a model's tokens with when its
 * provider reports no usage (a cut-off stream, a cancelled request, a host
 * that omits `usage`): `o200k_base` for GPT-4o, GPT-4.1, GPT-5 and the
 * o-series, `cl100k_base` for GPT-4 and GPT-3.5. A model without one is
 * counted with `o200k_base` (FALLBACK_TOKEN_ENCODING), an approximation for
 * Claude, Gemini, Llama, Mistral, Nova and others, whose own tokenizers
 * Switchyard does not have.
 */
export const tokenEncoding = z.enum(tokenEncodingNames, { error: `must be one of ${tokenEncodingNames.join(', ')}` });

export const modelEntry = z.object({
  /** `author/slug`, as clients name it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*\/[a-zA-Z0-9._:-]+$/, 'must look like author/slug'),
  name: z.string().min(1),
  description: z.string().optional(),
  /** Unix seconds. */
  created: z.number().int().nonnegative(),
  /** The tokenizer family as OpenRouter labels it in `architecture.tokenizer` ("GPT", "Claude", "Llama3"): display only. */
  tokenizer: z.string().default('Other'),
  /**
   * The encoding to count with. A model, not an endpoint, property: the
   * weights fix the tokenizer, and every endpoint of a model serves the same
   * weights. Resolved (fallback applied) onto each endpoint by the catalog.
   */
  tokenEncoding: tokenEncoding.optional(),
  endpoints: z.array(endpointEntry).min(1, 'must list at least one endpoint'),
});
export type ModelEntry = z.infer<typeof modelEntry>;

export const catalogFile = z.object({
  /**
   * `"default"`: this file adds to the shipped catalog instead of replacing
   * it. Its providers are added (or replace the default's of the same key)
   * and its models are added (or replace the default's of the same id).
   */
  extends: z.literal('default', { error: 'must be "default" (or left out, to replace the default catalog)' }).optional(),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase slug'), providerEntry),
  models: z.array(modelEntry),
});
export type CatalogFile = z.infer<typeof catalogFile>;
