import { describe, expect, it } from 'vitest';
import { breakerAfterFailure, breakerAfterSuccess, closedBreaker, isDegraded, replayBreaker } from '../../lib/health/breaker.ts';
import { countsAgainstEndpoint, defaultHealthPolicy, healthPolicy } from '../../lib/health/policy.ts';
import { createHealthTracker } from '../../lib/health/tracker.ts';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { attemptIds, planInput } from '../routing/support/routing-fixtures.ts';

const T0 = 1_750_000_000_000;
const SECOND = 1000;

/** A clock the test moves by hand. */
function fakeClock(start = T0) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('breaker state', () => {
  const policy = defaultHealthPolicy;

  it('opens on the fifth failure within 60 s and stays open for 60 s', () => {
    let state = closedBreaker;
    for (let index = 0; index < 4; index++) state = breakerAfterFailure(state, T0 + index * 10 * SECOND, policy);
    expect(isDegraded(state, T0 + 40 * SECOND)).toBe(false);
    state = breakerAfterFailure(state, T0 + 50 * SECOND, policy);
    expect(isDegraded(state, T0 + 50 * SECOND)).toBe(true);
    expect(isDegraded(state, T0 + 110 * SECOND - 1)).toBe(true);
    expect(isDegraded(state, T0 + 110 * SECOND)).toBe(false);
  });

  it('does not open when the failures are spread over more than 60 s', () => {
    let state = closedBreaker;
    for (let index = 0; index < 10; index++) state = breakerAfterFailure(state, T0 + index * 16 * SECOND, policy);
    expect(isDegraded(state, T0 + 144 * SECOND)).toBe(false);
  });

  it('a success clears the count', () => {
    let state = closedBreaker;
    for (let index = 0; index < 4; index++) state = breakerAfterFailure(state, T0 + index, policy);
    state = breakerAfterSuccess(state);
    state = breakerAfterFailure(state, T0 + 10, policy);
    expect(isDegraded(state, T0 + 10)).toBe(false);
    expect(state.failures).toEqual([T0 + 10]);
  });

  it('failures while open neither extend the outage nor carry over', () => {
    let state = closedBreaker;
    for (let index = 0; index < 5; index++) state = breakerAfterFailure(state, T0 + index, policy);
    for (let index = 0; index < 10; index++) state = breakerAfterFailure(state, T0 + 30 * SECOND + index, policy);
    expect(state.degradedUntil).toBe(T0 + 4 + 60 * SECOND);
    expect(state.lastFailureAt).toBe(T0 + 30 * SECOND + 9);
    state = breakerAfterFailure(state, T0 + 61 * SECOND, policy);
    expect(isDegraded(state, T0 + 61 * SECOND)).toBe(false);
  });

  it('replays events in time order, whatever order they arrive in', () => {
    const events = [
      { kind: 'failure' as const, at: T0 + 3 },
      { kind: 'success' as const, at: T0 + 2 },
      { kind: 'failure' as const, at: T0 + 1 },
    ];
    expect(replayBreaker(closedBreaker, events, policy).failures).toEqual([T0 + 3]);
  });

  it('counts simultaneous failures separately', () => {
    let state = closedBreaker;
    for (let index = 0; index < 5; index++) state = breakerAfterFailure(state, T0, policy);
    expect(isDegraded(state, T0)).toBe(true);
  });

  it('takes its thresholds from the policy', () => {
    const strict = healthPolicy({ breaker: { failureThreshold: 2, openMs: 5 * SECOND } });
    const state = breakerAfterFailure(breakerAfterFailure(closedBreaker, T0, strict), T0 + 1, strict);
    expect(state.degradedUntil).toBe(T0 + 1 + 5 * SECOND);
  });

  it.each([
    [{ status: 500 }, true],
    [{ status: 503 }, true],
    [{ status: 429 }, true],
    [{ status: 408 }, true],
    [{ status: 401 }, true],
    [{ status: 400 }, false],
    [{ status: 404 }, false],
    [{ status: 413 }, false],
    [{ errorType: 'timeout' }, true],
    [{ errorType: 'content_policy_violation' }, false],
    [{}, true],
  ])('counts %o against the endpoint: %s', (failure, counts) => {
    expect(countsAgainstEndpoint(failure)).toBe(counts);
  });
});

describe('breaker in routing (fake clock)', () => {
  it('routes around an endpoint for 60 s after 5 failures, then lets it back', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now });
    const plan = (): string[] => attemptIds(attemptPlan(planInput({ health: tracker, now: clock.now() })));
    expect(plan()[0]).toBe('test/chat@alpha');

    for (let index = 0; index < 5; index++) {
      tracker.recordFailure('test/chat@alpha', { status: 502, errorType: 'provider_unavailable' });
      clock.advance(SECOND);
    }
    expect(tracker.endpoint('test/chat@alpha', clock.now()).degraded).toBe(true);
    expect(plan()).toEqual(['test/chat@beta', 'test/chat@gamma', 'test/chat@alpha']);

    // The fifth failure, at T0 + 4 s, opened it; the clock is now at T0 + 5 s.
    clock.advance(54 * SECOND); // 55 s after it opened
    expect(plan().at(-1)).toBe('test/chat@alpha');

    clock.advance(5 * SECOND); // 60 s after it opened
    expect(tracker.endpoint('test/chat@alpha', clock.now()).degraded).toBe(false);
    expect(plan()[0]).toBe('test/chat@alpha');
  });

  it('ignores failures that are the caller\'s fault', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now });
    for (let index = 0; index < 10; index++) tracker.recordFailure('test/chat@alpha', { status: 400, errorType: 'invalid_request' });
    expect(tracker.endpoint('test/chat@alpha', clock.now())).toMatchObject({ degraded: false, lastFailureAt: undefined });
  });

  it('a success closes an open breaker at once', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now });
    for (let index = 0; index < 5; index++) tracker.recordFailure('e', { status: 503, errorType: 'provider_overloaded' });
    expect(tracker.endpoint('e', clock.now()).degraded).toBe(true);
    tracker.recordSuccess('e', { latencyMs: 300, tokensPerSecond: 50 });
    expect(tracker.endpoint('e', clock.now()).degraded).toBe(false);
  });
});
