// What both deliveries (JSON and stream) share once the attempts are under
// way: why a request stopped (the client went away, or the deadline passed),
// decided here once; reading a committed attempt's next event; ending the
// attempt; and what a success teaches routing.
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { clientLeft, type AttemptsResult } from '../routing/attempt-loop.ts';
import type { StreamEvent } from '../streaming/events.ts';
import type { GatewayDeps } from './deps.ts';
import { billableUsage, failed, type Ending, type Generation } from './generation.ts';
import { stoppedBy } from './stopping.ts';

export type CommittedAttempts = Extract<AttemptsResult, { kind: 'committed' }>;

/** Why the request's signal aborted: the client went away, the request's deadline passed, or the gateway is stopping (stopping.ts). */
export type Stop = 'client-left' | 'deadline' | 'stopping';

/**
 * Watches the request's signal for both deliveries. `stop` is a field set by
 * the abort event, read once per upstream event (a combined signal's
 * `aborted` getter consults its sources every time).
 */
export class StopWatch {
  stop: Stop | undefined;
  private readonly signal: AbortSignal;
  /** The request's deadline (settings.attempts.deadlineMs), for the error that says it passed. */
  readonly deadlineMs: number;
  private readonly onAbort = (): void => {
    this.stop = stopOf(this.signal);
  };

  constructor(signal: AbortSignal, deadlineMs: number) {
    this.signal = signal;
    this.deadlineMs = deadlineMs;
    this.stop = stopOf(signal);
    if (this.stop === undefined) signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The error a failure is reported with: the deadline's own when the deadline stopped the request, the drain's when the gateway is stopping. */
  errorFor(error: GatewayError): GatewayError {
    if (this.stop === 'deadline') return deadlinePassed(this.deadlineMs);
    if (this.stop === 'stopping') return stoppedBy(this.signal) ?? error;
    return error;
  }

  /** How a request that failed with `error` (or stopped) ended: a client that left is a 499, the deadline a 408 timeout. */
  endingFor(error: GatewayError, status = error.status): Ending {
    if (this.stop === 'client-left') return { status: 499, error, cancelled: true };
    if (this.stop === 'deadline') return failed(deadlinePassed(this.deadlineMs));
    // The gateway stopping: the client is still there and was told in-band (or with a 503); nobody's health is charged.
    return failed(this.errorFor(error), status);
  }

  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

function stopOf(signal: AbortSignal): Stop | undefined {
  if (!signal.aborted) return undefined;
  if (stoppedBy(signal) !== undefined) return 'stopping';
  return clientLeft(signal) ? 'client-left' : 'deadline';
}

export function deadlinePassed(deadlineMs: number): GatewayError {
  return new GatewayError({ status: 408, type: 'timeout', message: `The request did not finish within its deadline of ${Math.round(deadlineMs / 1000)} s` });
}

/** A client that went away: nobody reads what comes next. */
export const CLIENT_LEFT = 'client-left';

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
 * error event: after the commit point there is no other way to say it. When
 * the deadline stopped the request, the event is the deadline's error; when
 * the client went away, there is nothing more to read.
 */
export async function nextEvent(rest: AsyncIterator<StreamEvent>, endpoint: Endpoint, watch: StopWatch): Promise<StreamEvent | typeof CLIENT_LEFT> {
  let event: StreamEvent;
  try {
    const next = await rest.next();
    event =
      next.done !== true
        ? next.value
        : {
            type: 'error',
            error: new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream stream ended before finishing', provider: endpoint.provider.name }),
          };
  } catch (cause) {
    event = {
      type: 'error',
      error: new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: endpoint.provider.name, cause }),
    };
  }
  if (watch.stop === 'client-left') return CLIENT_LEFT;
  if (watch.stop === 'deadline' || watch.stop === 'stopping') return { type: 'error', error: watch.errorFor(event.type === 'error' ? event.error : deadlinePassed(watch.deadlineMs)) };
  return event;
}

/** A finished upstream request is let go (its connection reused); anything else is aborted. */
export function endAttempt(generation: Generation, result: CommittedAttempts): void {
  const { finishReason } = generation.reply;
  const finished = finishReason !== null && finishReason !== 'error' && generation.ending?.cancelled !== true;
  if (finished) result.release();
  else result.abort();
}

/** What a success teaches routing: the endpoint's speed, and where this session should stay. */
export function learnFromSuccess(generation: Generation, result: CommittedAttempts, deps: GatewayDeps): void {
  if (generation.reply.finishReason === 'error') return;
  const seconds = (deps.now() - result.committedAt) / 1000;
  const tokens = billableUsage(generation).completionTokens;
  deps.health.recordSuccess(result.endpoint.id, {
    latencyMs: result.attempts.at(-1)?.latencyMs ?? 0,
    tokensPerSecond: seconds > 0.05 && tokens > 0 ? tokens / seconds : undefined,
  });
  const sessionKey = generation.asked?.sessionKey;
  if (sessionKey !== undefined) deps.sticky.set(sessionKey, result.endpoint.modelId, result.endpoint.id, deps.now());
}
