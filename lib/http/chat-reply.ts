// The second half of a chat request: the attempts' outcome to the client,
// as SSE or as one JSON body, and the bookkeeping after the last byte.
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { clientGone, type AttemptsResult } from '../routing/attempt-loop.ts';
import { ChunkEncoder, DONE_FRAME, KEEP_ALIVE_FRAME, type GenerationMeta } from '../streaming/chunk-encoder.ts';
import { CompletionAssembler } from '../streaming/completion-assembler.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { wireUsage } from '../streaming/wire-usage.ts';
import type { GatewayDeps } from './deps.ts';
import { billableUsage, finishAfterReply, generationCost, observe, type Generation } from './generation.ts';
import type { Reply } from './reply.ts';
import { errorResponse, json } from './responses.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

export async function jsonReply(
  generation: Generation,
  result: AttemptsResult,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Promise<Reply> {
  generation.attempts = result.attempts;
  if (result.kind === 'failed') return failedReply(generation, result.error, headers, deps, result.signal);
  generation.endpoint = result.endpoint;
  const assembler = new CompletionAssembler(includeReasoning(generation));
  try {
    for (const event of result.head) take(generation, assembler, event);
    for (;;) {
      const next = await nextEvent(result.rest, generation.endpoint);
      if (next === undefined) break;
      take(generation, assembler, next);
      if (next.type === 'finish' || next.type === 'error') break;
    }
  } finally {
    endAttempt(generation, result);
  }
  // Nobody is left to read the body: bill what was generated, as a cancellation.
  if (clientLeft(result.signal)) markCancelled(generation);
  generation.firstByteAt = deps.now();
  const body = assembler.body(meta(generation, result.endpoint), wireUsage(billableUsage(generation), generationCost(generation)));
  afterSuccess(generation, result, deps);
  finishAfterReply(generation, deps);
  return json(body, 200, headers);
}

export async function streamReply(
  generation: Generation,
  attempts: Promise<AttemptsResult>,
  signal: AbortSignal,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Promise<Reply> {
  // Errors before the commit point keep their HTTP status, unless the wait
  // is long enough that keep-alives had to start (then they come in-band).
  const early = await firstOf(attempts, deps.settings.keepAlive.firstAfterMs);
  if (early !== undefined && early.kind === 'failed') {
    generation.attempts = early.attempts;
    return failedReply(generation, early.error, headers, deps, signal);
  }
  const frames = sseFrames(generation, early, attempts, signal, deps);
  const cancel = async (): Promise<void> => {
    generation.cancelled = true;
    await frames.return(undefined);
  };
  return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: { frames, cancel } };
}

async function* sseFrames(
  generation: Generation,
  early: AttemptsResult | undefined,
  attempts: Promise<AttemptsResult>,
  signal: AbortSignal,
  deps: GatewayDeps,
): AsyncGenerator<string> {
  let result = early;
  // Read once per event: a flag set by the event, not the signal's getter
  // (a combined signal's `aborted` consults its sources every time).
  let aborted = signal.aborted;
  const onAbort = (): void => {
    aborted = true;
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Still waiting once the 200 goes out: a comment at once, then one per
    // interval, so the client (and any proxy) sees bytes, not a silent 200.
    while (result === undefined) {
      yield KEEP_ALIVE_FRAME;
      result = await firstOf(attempts, deps.settings.keepAlive.intervalMs);
    }
    generation.attempts = result.attempts;
    if (result.kind === 'failed') {
      // Keep-alives already committed a 200: the failure goes in-band.
      generation.error = result.error;
      generation.finishReason = 'error';
      const fallbackEndpoint = result.attempts.at(-1)?.endpoint;
      const encoder = new ChunkEncoder(meta(generation, fallbackEndpoint), { includeReasoning: false });
      yield encoder.error(result.error);
      yield DONE_FRAME;
      return;
    }
    generation.endpoint = result.endpoint;
    const encoder = new ChunkEncoder(meta(generation, result.endpoint), { includeReasoning: includeReasoning(generation) });
    generation.firstByteAt = deps.now();
    for (const event of result.head) {
      observe(generation, event);
      const frame = encoder.encode(event);
      if (frame !== '') yield frame;
    }
    for (;;) {
      const event = await nextEvent(result.rest, result.endpoint);
      if (event === undefined) break;
      if (aborted) throw clientGone();
      observe(generation, event);
      const frame = encoder.encode(event);
      if (frame !== '') yield frame;
      if (event.type === 'finish' || event.type === 'error') break;
    }
    if (generation.finishReason !== 'error') {
      yield encoder.usage(wireUsage(billableUsage(generation), generationCost(generation)));
      afterSuccess(generation, result, deps);
    }
    yield DONE_FRAME;
  } catch (error) {
    if (signal.aborted || generation.cancelled) generation.cancelled = true;
    else deps.log({ level: 'error', message: 'stream failed', generation: generation.id, error: String(error) });
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (result?.kind === 'committed') endAttempt(generation, result);
    if (generation.cancelled) generation.status = 499;
    finishAfterReply(generation, deps);
  }
}

/** A finished upstream request is let go (its connection reused); anything else is aborted. */
function endAttempt(generation: Generation, result: Extract<AttemptsResult, { kind: 'committed' }>): void {
  const finished = generation.finishReason !== null && generation.finishReason !== 'error' && !generation.cancelled;
  if (finished) result.release();
  else result.abort();
}

function take(generation: Generation, assembler: CompletionAssembler, event: StreamEvent): void {
  observe(generation, event);
  assembler.add(event);
}

/**
 * The next event of a committed attempt. A broken connection becomes an
 * error event: after the commit point there is no other way to say it.
 */
async function nextEvent(rest: AsyncIterator<StreamEvent>, endpoint: Endpoint): Promise<StreamEvent | undefined> {
  try {
    const next = await rest.next();
    if (next.done !== true) return next.value;
    return {
      type: 'error',
      error: new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream stream ended before finishing', provider: endpoint.provider.name }),
    };
  } catch (cause) {
    return {
      type: 'error',
      error: new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: endpoint.provider.name, cause }),
    };
  }
}

function failedReply(generation: Generation, error: GatewayError, headers: Record<string, string>, deps: GatewayDeps, signal: AbortSignal): Reply {
  generation.status = error.status;
  generation.error = error;
  if (clientLeft(signal)) markCancelled(generation);
  finishAfterReply(generation, deps);
  return errorResponse(error, headers);
}

/** The request's signal aborted because the client went away, not because the deadline passed. */
function clientLeft(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && !(reason instanceof DOMException && reason.name === 'TimeoutError');
}

/** nginx's 499, as the streamed path records a client that went away. */
function markCancelled(generation: Generation): void {
  generation.cancelled = true;
  generation.status = 499;
}

/** What a success teaches routing: the endpoint's speed, and where this session should stay. */
function afterSuccess(generation: Generation, result: Extract<AttemptsResult, { kind: 'committed' }>, deps: GatewayDeps): void {
  if (generation.finishReason === 'error') return;
  const seconds = (deps.now() - result.committedAt) / 1000;
  const tokens = billableUsage(generation).completionTokens;
  deps.health.recordSuccess(result.endpoint.id, {
    latencyMs: result.attempts.at(-1)?.latencyMs ?? 0,
    tokensPerSecond: seconds > 0.05 && tokens > 0 ? tokens / seconds : undefined,
  });
  if (generation.sessionKey !== undefined) {
    deps.sticky.set(generation.sessionKey, result.endpoint.modelId, result.endpoint.id, deps.now());
  }
}

function includeReasoning(generation: Generation): boolean {
  const request = generation.request;
  if (request === undefined) return true;
  return request.reasoning?.exclude !== true && request.include_reasoning !== false;
}

function meta(generation: Generation, endpoint: Endpoint | undefined): GenerationMeta {
  return {
    id: generation.id,
    created: generation.created,
    model: endpoint?.modelId ?? generation.request?.model ?? '',
    provider: endpoint?.provider.name ?? '',
  };
}

/** The promise's value if it settles within `ms`, else undefined. */
async function firstOf<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
