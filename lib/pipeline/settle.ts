// The last step: after the last byte, settle the hold, queue the generation
// record and write the usage record (DESIGN "One request, end to end").
// `finishGeneration` runs exactly once per request.
import type { Admission } from '../billing/credit-ledger.ts';
import type { CostBreakdown } from '../billing/cost.ts';
import type { UsageRecord } from '../usage/record.ts';
import type { GatewayDeps } from './deps.ts';
import { billableUsage, countUnreported, generationCost, type Generation } from './generation.ts';

/**
 * `finishGeneration` once the reply has gone out: started from a timer, so
 * not one step of the bookkeeping runs before the last byte is written.
 */
export function finishAfterReply(generation: Generation, deps: GatewayDeps): void {
  deps.waitUntil(
    new Promise((resolve) => setTimeout(resolve, 0)).then(() => finishGeneration(generation, deps)),
  );
}

/** Settle, record, report. Runs once; never throws (failures are logged, the hold expires and is reclaimed). */
export async function finishGeneration(generation: Generation, deps: GatewayDeps): Promise<void> {
  if (generation.finished) return;
  generation.finished = true;
  try {
    await countUnreported(generation, deps.tokenCounters);
  } catch (error) {
    // The tokenizer could not load: the estimate and one token per delivered piece stand in.
    deps.log({ level: 'warn', message: 'token count failed; billing the estimate', generation: generation.id, error: String(error) });
  }
  const cost = generationCost(generation);
  const record = usageRecord(generation, cost, deps.now());
  const tasks: Promise<unknown>[] = [deps.usageSink.write(record)];
  const { key, admission } = generation;
  if (admission !== undefined) tasks.push(settleWithRetry(deps, admission, cost.totalMicros, generation.id));
  if (key !== undefined && generation.request !== undefined) deps.generations.add(record, deps.now());
  const results = await Promise.allSettled(tasks);
  for (const result of results) {
    if (result.status === 'rejected') {
      deps.log({ level: 'error', message: 'generation bookkeeping failed', generation: generation.id, error: String(result.reason) });
    }
  }
}

async function settleWithRetry(deps: GatewayDeps, admission: Admission, charge: number, generationId: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      // Idempotent per hold: a retry after an unclear failure moves nothing twice.
      await deps.ledger.settle(admission, charge);
      return;
    } catch (error) {
      if (attempt >= 3) {
        deps.log({ level: 'error', message: 'settlement failed; the hold will be reclaimed', generation: generationId, error: String(error) });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

function usageRecord(generation: Generation, cost: CostBreakdown, now: number): UsageRecord {
  const usage = billableUsage(generation);
  const served = generation.endpoint;
  const request = generation.request;
  return {
    id: generation.id,
    created_at: new Date(generation.startedAt).toISOString(),
    key_hash_prefix: generation.key?.hash.slice(0, 16) ?? '',
    account_id: generation.key?.accountId ?? '',
    model_requested: request?.model ?? request?.models?.[0] ?? '',
    model: served?.modelId ?? null,
    provider: served?.provider.name ?? null,
    endpoint: served?.id ?? null,
    streamed: generation.streamed,
    status: generation.status,
    error_code: generation.error?.type ?? null,
    error_message: generation.error !== undefined && generation.status >= 500 ? generation.error.publicMessage : null,
    finish_reason: generation.finishReason,
    native_finish_reason: generation.nativeFinishReason,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    cached_tokens: usage.cachedTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    reasoning_tokens: usage.reasoningTokens,
    cost_micros: cost.totalMicros,
    ttfb_ms: generation.firstByteAt === undefined ? null : generation.firstByteAt - generation.startedAt,
    latency_ms: now - generation.startedAt,
    attempts: generation.attempts.map((attempt) => ({
      endpoint: attempt.endpoint.id,
      provider: attempt.endpoint.provider.name,
      model: attempt.endpoint.modelId,
      status: attempt.status,
      error_code: attempt.errorType,
      latency_ms: attempt.latencyMs,
    })),
    fallback: generation.attempts.length > 1 && served !== undefined,
    cancelled: generation.cancelled,
    session_id: generation.sessionId ?? null,
    user: request?.user ?? null,
  };
}
