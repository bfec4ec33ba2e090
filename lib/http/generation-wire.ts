// A stored usage record (lib/usage/record.ts) as OpenRouter's Generation
// object (openrouter-api.md §7) with Switchyard's `status`, `error_code` and
// `error_message`: as GET /api/v1/generation answers it, and in the
// generations list with a few more (`model_requested`, `key_hash_prefix`,
// `fallback`).
import { z } from 'zod';
import { microsToUsd } from '../billing/cost.ts';

// Validated on the way out: the store holds what an older writer wrote.
export const storedGeneration = z.object({
  id: z.string(),
  created_at: z.string(),
  key_hash_prefix: z.string(),
  model_requested: z.string(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  streamed: z.boolean(),
  status: z.number(),
  error_code: z.string().nullable(),
  // Absent from records written before it existed.
  error_message: z.string().nullable().default(null),
  cancelled: z.boolean(),
  fallback: z.boolean(),
  finish_reason: z.string().nullable(),
  native_finish_reason: z.string().nullable(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  cached_tokens: z.number(),
  reasoning_tokens: z.number(),
  cost_micros: z.number(),
  ttfb_ms: z.number().nullable(),
  latency_ms: z.number(),
  session_id: z.string().nullable(),
  user: z.string().nullable(),
  attempts: z.array(
    z.object({ endpoint: z.string(), provider: z.string(), model: z.string(), status: z.number(), error_code: z.string().nullable(), latency_ms: z.number() }),
  ),
  // Written only when routing moved an endpoint back (lib/routing/plan.ts); older records lack it.
  deprioritized: z.array(z.object({ endpoint: z.string(), provider: z.string(), reason: z.string() })).optional(),
});
export type StoredGenerationRecord = z.infer<typeof storedGeneration>;

/** The record as GET /api/v1/generation answers it, in OpenRouter's Generation shape. */
export function generationToWire(record: StoredGenerationRecord): Record<string, unknown> {
  const cost = microsToUsd(record.cost_micros);
  const deprioritized = record.deprioritized ?? [];
  const reasonFor = (endpoint: string): string | undefined => deprioritized.find((entry) => entry.endpoint === endpoint)?.reason;
  return {
    id: record.id,
    upstream_id: null,
    created_at: record.created_at,
    model: record.model,
    provider_name: record.provider,
    api_type: 'completions',
    streamed: record.streamed,
    cancelled: record.cancelled,
    finish_reason: record.finish_reason,
    native_finish_reason: record.native_finish_reason,
    tokens_prompt: record.prompt_tokens,
    tokens_completion: record.completion_tokens,
    native_tokens_prompt: record.prompt_tokens,
    native_tokens_completion: record.completion_tokens,
    native_tokens_reasoning: record.reasoning_tokens,
    native_tokens_cached: record.cached_tokens,
    usage: cost,
    total_cost: cost,
    upstream_inference_cost: null,
    cache_discount: null,
    is_byok: false,
    latency: record.latency_ms,
    generation_time: record.ttfb_ms === null ? null : record.latency_ms - record.ttfb_ms,
    session_id: record.session_id,
    external_user: record.user,
    // Switchyard's: how the request ended, as its reply said (a 5xx's message; null for a 4xx or a success).
    status: record.status,
    error_code: record.error_code,
    error_message: record.error_message,
    provider_responses: record.attempts.map((attempt) => ({
      provider_name: attempt.provider,
      status: attempt.status,
      latency: attempt.latency_ms,
      is_byok: false,
      id: null,
      endpoint_id: attempt.endpoint,
      model_permaslug: attempt.model,
      routed_service_tier: null,
      error_code: attempt.error_code,
      // Switchyard's: why this endpoint was tried after the others (`breaker_open`, `failed_recently`).
      ...(reasonFor(attempt.endpoint) === undefined ? {} : { deprioritized: reasonFor(attempt.endpoint) }),
    })),
    // Switchyard's: every endpoint routing moved behind the healthy ones, tried or not, and why.
    deprioritized: deprioritized.map((entry) => ({ endpoint_id: entry.endpoint, provider_name: entry.provider, reason: entry.reason })),
  };
}

/** An entry of the generations list: the Generation object and Switchyard's additions. */
export function generationListEntry(record: StoredGenerationRecord): Record<string, unknown> {
  return {
    ...generationToWire(record),
    model_requested: record.model_requested,
    key_hash_prefix: record.key_hash_prefix,
    fallback: record.fallback,
    time_to_first_byte: record.ttfb_ms,
  };
}
