// One request's bookkeeping: what it asked, what was held, which attempts
// ran, what came back. `finishGeneration` runs exactly once per request,
// after the last byte: it settles the admission, queues the generation record and
// writes the usage record (DESIGN "One request, end to end").
import type { ChatRequest } from '../api/chat-request.ts';
import type { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { costOf, type CostBreakdown } from '../billing/cost.ts';
import type { AttemptRecord } from '../routing/attempt-loop.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import type { KeyRecord } from '../store/keys.ts';
import { emptyUsage, type StreamEvent, type Usage } from '../streaming/events.ts';
import type { UsageRecord } from '../usage/record.ts';
import type { GatewayDeps } from './deps.ts';

export interface Generation {
  id: string;
  startedAt: number;
  /** Unix seconds, for `created`. */
  created: number;
  streamed: boolean;
  key: KeyRecord | undefined;
  request: ChatRequest | undefined;
  /** The caller's session id (body `session_id`, header `x-session-id`, `prompt_cache_key`). */
  sessionId: string | undefined;
  /** The sticky-routing key: the session id scoped to the account. */
  sessionKey: string | undefined;
  /** Prompt tokens as estimated before any provider counted them. */
  promptEstimate: number;
  /** How the request's worst case was admitted: its own hold, or a lease. */
  admission: Admission | undefined;
  endpoint: Endpoint | undefined;
  attempts: AttemptRecord[];
  /** Usage the provider reported; undefined until (unless) it does. */
  usage: Usage | undefined;
  /** Content deltas delivered: the measure of output when the provider reported no usage. */
  deltas: number;
  finishReason: string | null;
  nativeFinishReason: string | null;
  status: number;
  error: GatewayError | undefined;
  firstByteAt: number | undefined;
  cancelled: boolean;
  finished: boolean;
}

export function newGeneration(id: string, now: number, streamed: boolean): Generation {
  return {
    id,
    startedAt: now,
    created: Math.floor(now / 1000),
    streamed,
    key: undefined,
    request: undefined,
    sessionId: undefined,
    sessionKey: undefined,
    promptEstimate: 0,
    admission: undefined,
    endpoint: undefined,
    attempts: [],
    usage: undefined,
    deltas: 0,
    finishReason: null,
    nativeFinishReason: null,
    status: 200,
    error: undefined,
    firstByteAt: undefined,
    cancelled: false,
    finished: false,
  };
}

/** Follow the events a client receives: the finish reason, usage and how much output was delivered. */
export function observe(generation: Generation, event: StreamEvent): void {
  switch (event.type) {
    case 'text':
    case 'reasoning':
    case 'refusal':
    case 'tool-call-delta':
      generation.deltas += 1;
      return;
    case 'finish':
      generation.finishReason = event.reason;
      generation.nativeFinishReason = event.nativeReason;
      generation.usage = event.usage;
      return;
    case 'error':
      generation.finishReason = 'error';
      generation.error = event.error;
      return;
    case 'start':
    case 'reasoning-signature':
    case 'reasoning-encrypted':
    case 'tool-call-start':
      return;
  }
}

/**
 * The usage to bill. Without a provider report (a cut-off, a cancelled
 * request), the prompt estimate and one token per delivered delta stand in.
 * Nothing is billed when nothing was generated and the request failed
 * (zero-completion insurance, as OpenRouter does).
 */
export function billableUsage(generation: Generation): Usage {
  if (generation.endpoint === undefined) return emptyUsage();
  const usage = generation.usage ?? { ...emptyUsage(), promptTokens: generation.promptEstimate, completionTokens: generation.deltas };
  const failed = generation.finishReason === 'error' || generation.finishReason === null;
  if (failed && usage.completionTokens === 0) return emptyUsage();
  return usage;
}

export function generationCost(generation: Generation): CostBreakdown {
  if (generation.endpoint === undefined) return { promptMicros: 0, completionMicros: 0, totalMicros: 0 };
  return costOf(billableUsage(generation), generation.endpoint.pricing);
}

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
