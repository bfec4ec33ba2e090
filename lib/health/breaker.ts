// The circuit breaker, as pure functions over its state: N counted failures
// within the window open it for a while; it then closes again by itself.
// A success closes it and clears the count.
import type { HealthPolicy } from './policy.ts';

export interface BreakerState {
  /** Epoch ms of counted failures inside the window, oldest first. */
  failures: readonly number[];
  /** Epoch ms the open breaker closes at. */
  degradedUntil: number | undefined;
  lastFailureAt: number | undefined;
}

export const closedBreaker: BreakerState = { failures: [], degradedUntil: undefined, lastFailureAt: undefined };

export function isDegraded(state: BreakerState, now: number): boolean {
  return state.degradedUntil !== undefined && now < state.degradedUntil;
}

export function breakerAfterFailure(state: BreakerState, at: number, policy: HealthPolicy): BreakerState {
  const lastFailureAt = Math.max(at, state.lastFailureAt ?? at);
  // While open, failures are expected (the endpoint is only tried last) and
  // do not extend the outage: it closes on time and counts afresh.
  if (isDegraded(state, at)) return { ...state, lastFailureAt };
  const since = at - policy.breaker.failureWindowMs;
  // Several failures in one millisecond are several failures: no dedupe by time.
  const failures = [...state.failures.filter((time) => time > since), at].sort((a, b) => a - b);
  if (failures.length >= policy.breaker.failureThreshold) {
    return { failures: [], degradedUntil: at + policy.breaker.openMs, lastFailureAt };
  }
  return { failures: failures.slice(-policy.breaker.failureThreshold), degradedUntil: state.degradedUntil, lastFailureAt };
}

export function breakerAfterSuccess(state: BreakerState): BreakerState {
  return { failures: [], degradedUntil: undefined, lastFailureAt: state.lastFailureAt };
}

export type BreakerEvent = { kind: 'failure'; at: number } | { kind: 'success'; at: number };

/** Replays events in time order; how a store record absorbs a container's news. */
export function replayBreaker(state: BreakerState, events: readonly BreakerEvent[], policy: HealthPolicy): BreakerState {
  const ordered = [...events].sort((a, b) => a.at - b.at);
  return ordered.reduce((current, event) => {
    switch (event.kind) {
      case 'failure':
        return breakerAfterFailure(current, event.at, policy);
      case 'success':
        return breakerAfterSuccess(current);
    }
  }, state);
}
