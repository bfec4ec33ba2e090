// GET /api/v1/generation?id=gen-…: a generation in OpenRouter's shape
// (openrouter-api.md §7), to the account that made it.
import { z } from 'zod';
import { invalidRequest, notFound } from '../api/errors.ts';
import { microsToUsd } from '../billing/cost.ts';
import { getGeneration } from '../store/generations.ts';
import { authenticate } from '../keys/authenticate.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { json, type GatewayRequest, type Reply } from '../api/reply.ts';

// The stored usage record (lib/usage/record.ts), validated on the way out.
const storedRecord = z
  .object({
    id: z.string(),
    created_at: z.string(),
    model: z.string().nullable(),
    provider: z.string().nullable(),
    streamed: z.boolean(),
    cancelled: z.boolean(),
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
  });
type StoredRecord = z.infer<typeof storedRecord>;

export async function generationRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const key = await authenticate(request.headers, deps.keys, 'inference', deps.now());
  const id = url.searchParams.get('id');
  if (id === null || id === '') throw invalidRequest('Query parameter `id` is required');
  // Records are written in batches: this container's own pending ones go out first.
  await deps.generations.flush();
  const stored = await getGeneration(deps.table, id, deps.now());
  // Another account's generation is as absent as one that never existed.
  if (stored === undefined || stored.accountId !== key.accountId) throw notFound(`Generation ${id} not found`);
  const record = storedRecord.parse(JSON.parse(stored.record));
  return json({ data: generationToWire(record) });
}

function generationToWire(record: StoredRecord): Record<string, unknown> {
  const cost = microsToUsd(record.cost_micros);
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
    })),
  };
}
