// What every delivery does with a committed attempt: read its next event
// (a broken connection becomes an error event), end it, and learn from it.
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { AttemptsResult } from '../routing/attempt-loop.ts';
import type { StreamEvent } from '../streaming/events.ts';
import type { GatewayDeps } from './deps.ts';
import { billableUsage, type Generation } from './generation.ts';

export type CommittedAttempts = Extract<AttemptsResult, { kind: 'committed' }>;

/**
 * Routing transparency on every reply an endpoint served: which provider
 * and which catalog model answered (the body says it too, but a client or a
 * proxy reading only headers can see it).
 */
export function servedByHeaders(endpoint: Endpoint): Record<string, string> {
  return { 'x-switchyard-provider': endpoint.provider.name, 'x-switchyard-model': endpoint.modelId };
}

/**
 * The next event of a committed attempt. A broken connection becomes an
 * error event: after the commit point there is no other way to say it.
 */
export async function nextEvent(rest: AsyncIterator<StreamEvent>, endpoint: Endpoint): Promise<StreamEvent | undefined> {
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

/** A finished upstream request is let go (its connection reused); anything else is aborted. */
export function endAttempt(generation: Generation, result: CommittedAttempts): void {
  const finished = generation.finishReason !== null && generation.finishReason !== 'error' && !generation.cancelled;
  if (finished) result.release();
  else result.abort();
}

/** The request's signal aborted because the client went away, not because the deadline passed (decided once, in routing). */
export { clientLeft } from '../routing/attempt-loop.ts';

/** nginx's 499, as the record keeps a client that went away. */
export function markCancelled(generation: Generation): void {
  generation.cancelled = true;
  generation.status = 499;
}

/** What a success teaches routing: the endpoint's speed, and where this session should stay. */
export function learnFromSuccess(generation: Generation, result: CommittedAttempts, deps: GatewayDeps): void {
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
