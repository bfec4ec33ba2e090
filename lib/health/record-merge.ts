// How news from one container (or the probe) folds into the shared health
// record: breaker events replayed onto the stored breaker, samples merged
// into the stored window, percentiles derived again.
import { ttlAfter } from '../store/table.ts';
import type { HealthRecord, HealthRecordContent } from '../store/health.ts';
import { closedBreaker, replayBreaker, type BreakerEvent, type BreakerState } from './breaker.ts';
import type { HealthPolicy } from './policy.ts';
import { percentilesOf, recentSamples, type Sample } from './samples.ts';

/** What a container learned since its last flush. */
export interface PendingHealth {
  events: BreakerEvent[];
  latency: Sample[];
  throughput: Sample[];
}

export const emptyPending = (): PendingHealth => ({ events: [], latency: [], throughput: [] });

export const hasNews = (pending: PendingHealth): boolean =>
  pending.events.length > 0 || pending.latency.length > 0 || pending.throughput.length > 0;

/** Older news first; bounded, since only recent news matters. */
export function combinePending(older: PendingHealth, newer: PendingHealth, policy: HealthPolicy): PendingHealth {
  return boundPending({
    events: [...older.events, ...newer.events],
    latency: [...older.latency, ...newer.latency],
    throughput: [...older.throughput, ...newer.throughput],
  }, policy);
}

export function boundPending(pending: PendingHealth, policy: HealthPolicy): PendingHealth {
  const maxEvents = policy.breaker.failureThreshold * 4;
  return {
    events: pending.events.slice(-maxEvents),
    latency: pending.latency.slice(-policy.samples.maxSamples),
    throughput: pending.throughput.slice(-policy.samples.maxSamples),
  };
}

export function breakerOf(record: HealthRecord | undefined): BreakerState {
  if (record === undefined) return closedBreaker;
  return { failures: record.failures, degradedUntil: record.degradedUntil, lastFailureAt: record.lastFailureAt };
}

export function mergeIntoRecord(
  current: HealthRecord | undefined,
  pending: PendingHealth,
  now: number,
  policy: HealthPolicy,
): HealthRecordContent {
  const breaker = replayBreaker(breakerOf(current), pending.events, policy);
  const since = now - policy.breaker.failureWindowMs;
  const latencySamples = recentSamples([...(current?.latencySamples ?? []), ...pending.latency], now, policy.samples);
  const throughputSamples = recentSamples([...(current?.throughputSamples ?? []), ...pending.throughput], now, policy.samples);
  return {
    failures: breaker.failures.filter((time) => time > since),
    degradedUntil: breaker.degradedUntil !== undefined && breaker.degradedUntil > now ? breaker.degradedUntil : undefined,
    lastFailureAt: breaker.lastFailureAt,
    latencySamples,
    throughputSamples,
    latencyMs: percentilesOf(latencySamples),
    throughputTps: percentilesOf(throughputSamples),
    ttl: ttlAfter(now, policy.recordTtlSeconds),
  };
}
