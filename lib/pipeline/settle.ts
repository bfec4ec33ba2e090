// The last step: after the last byte, settle the hold, queue the generation
// record and write the usage record (DESIGN "One request, end to end").
// `finishGeneration` runs exactly once per request.
import type { GatewayError } from '../api/errors.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import type { CostBreakdown } from '../billing/cost.ts';
import type { UsageRecord } from '../usage/record.ts';
import type { GatewayDeps } from './deps.ts';
import { billableUsage, countUnreported, generationCost, type Generation } from './generation.ts';

/** Generations whose bookkeeping has started: settle's own, so that it runs once. */
const finished = new WeakSet<Generation>();

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
  if (finished.has(generation)) return;
  finished.add(generation);
  generation.releaseSignal?.();
  try {
    await countUnreported(generation, deps.tokenCounters);
  } catch (error) {
    // The tokenizer could not load: the estimate and one token per delivered piece stand in.
    deps.log({ level: 'warn', message: 'token count failed; billing the estimate', generation: generation.id, error: String(error) });
  }
  const cost = generationCost(generation);
  const record = usageRecord(generation, cost, deps.now());
  const tasks: Promise<unknown>[] = [deps.usageSink.write(record)];
  const { caller, admission } = generation;
  // The record is queued before the charge: the ledger writes queued records before it charges (assemble.ts).
  if (caller !== undefined && generation.asked !== undefined) deps.generations.add(generationRecord(record, generation), deps.now());
  if (admission !== undefined) tasks.push(settleWithRetry(deps, admission, cost.totalMicros, generation.id));
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

/**
 * The generation record: the usage record, and (only there: it is not a
 * column of the usage table) which endpoints routing moved back and why.
 */
function generationRecord(record: UsageRecord, generation: Generation): UsageRecord & { deprioritized?: readonly { endpoint: string; provider: string; reason: string }[] } {
  return generation.deprioritized.length === 0 ? record : { ...record, deprioritized: generation.deprioritized };
}

function usageRecord(generation: Generation, cost: CostBreakdown, now: number): UsageRecord {
  const usage = billableUsage(generation);
  const { reply, caller } = generation;
  const served = reply.endpoint;
  const request = generation.asked?.request;
  // Every path decides an ending before settling; a generation without one was abandoned mid-way.
  const ending = generation.ending ?? { status: 499, error: undefined, cancelled: true };
  return {
    id: generation.id,
    created_at: new Date(generation.startedAt).toISOString(),
    key_hash_prefix: caller?.hash.slice(0, 16) ?? '',
    account_id: caller?.accountId ?? '',
    model_requested: request?.model ?? request?.models?.[0] ?? '',
    model: served?.modelId ?? null,
    provider: served?.provider.name ?? null,
    endpoint: served?.id ?? null,
    streamed: generation.streamed,
    status: ending.status,
    error_code: (ending.error ?? reply.error)?.type ?? null,
    error_message: errorMessage(ending.error ?? reply.error, ending.status),
    finish_reason: reply.finishReason,
    native_finish_reason: reply.nativeFinishReason,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    cached_tokens: usage.cachedTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    reasoning_tokens: usage.reasoningTokens,
    cost_micros: cost.totalMicros,
    ttfb_ms: reply.firstByteAt === undefined ? null : reply.firstByteAt - generation.startedAt,
    latency_ms: now - generation.startedAt,
    attempts: reply.attempts.map((attempt) => ({
      endpoint: attempt.endpoint.id,
      provider: attempt.endpoint.provider.name,
      model: attempt.endpoint.modelId,
      status: attempt.status,
      error_code: attempt.errorType,
      latency_ms: attempt.latencyMs,
    })),
    fallback: reply.attempts.length > 1 && served !== undefined,
    cancelled: ending.cancelled,
    session_id: generation.asked?.sessionId ?? null,
    user: request?.user ?? null,
  };
}

/** A 5xx's own message (it names no caller input: a 4xx's may quote the request, so it is left out). */
function errorMessage(error: GatewayError | undefined, status: number): string | null {
  return error !== undefined && status >= 500 ? error.publicMessage : null;
}
