// The health the request path reads: synchronous, from memory. Outcomes are
// recorded locally at once (this container routes around a failing endpoint
// immediately) and written to the shared store by `flush`; other
// containers' news arrives by `refresh`. Neither runs per request.
import type { HealthStore, HealthRecord } from '../store/health.ts';
import type { EndpointHealth, HealthView } from '../routing/types.ts';
import { breakerAfterFailure, breakerAfterSuccess, closedBreaker, isDegraded, type BreakerState } from './breaker.ts';
import { countsAgainstEndpoint, healthPolicy, type FailureReport, type HealthPolicy, type HealthPolicyInput } from './policy.ts';
import { combinePending, emptyPending, hasNews, mergeIntoRecord, type PendingHealth } from './record-merge.ts';
import { percentilesOf, recentSamples, type Sample } from './samples.ts';

export interface SuccessReport {
  /** Time to first token. */
  latencyMs: number;
  /** Output tokens per second; undefined when too short to measure. */
  tokensPerSecond?: number | undefined;
}

export interface HealthTracker extends HealthView {
  recordSuccess(endpointId: string, sample: SuccessReport): void;
  recordFailure(endpointId: string, failure: FailureReport): void;
  /** Reload the snapshot from the store if it is older than the cache TTL. Never rejects. */
  refresh(): Promise<void>;
  /** Write what was recorded since the last flush. Never rejects; unwritten news is kept for the next flush. */
  flush(): Promise<void>;
}

export type HealthTrackerOptions = {
  now: () => number;
  cacheTtlMs?: number;
  policy?: HealthPolicyInput;
  /** Where store failures go; health must never fail a request. */
  onError?: (error: unknown) => void;
} & (
  | { store?: undefined; endpointIds?: readonly string[] }
  | {
      store: HealthStore;
      /** The endpoints whose shared records `refresh` loads, by key (the catalog's). */
      endpointIds: readonly string[];
    }
);

interface LocalHealth {
  breaker: BreakerState;
  latency: Sample[];
  throughput: Sample[];
  lastSuccessAt: number | undefined;
  pending: PendingHealth;
}

export function createHealthTracker(options: HealthTrackerOptions): HealthTracker {
  const policy: HealthPolicy = healthPolicy({ ...options.policy, ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }) });
  const { store, now } = options;
  const onError = options.onError ?? (() => undefined);
  const local = new Map<string, LocalHealth>();
  let snapshot = new Map<string, HealthRecord>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  const localOf = (endpointId: string): LocalHealth => {
    let state = local.get(endpointId);
    if (state === undefined) {
      state = { breaker: closedBreaker, latency: [], throughput: [], lastSuccessAt: undefined, pending: emptyPending() };
      local.set(endpointId, state);
    }
    return state;
  };
  const addSample = (samples: Sample[], sample: Sample): Sample[] => {
    samples.push(sample);
    // Trim in batches, not on every sample.
    return samples.length > policy.samples.maxSamples * 2 ? recentSamples(samples, sample.at, policy.samples) : samples;
  };
  const remember = (state: LocalHealth, news: PendingHealth): void => {
    // Without a store there is nowhere to flush to.
    if (store !== undefined) state.pending = combinePending(state.pending, news, policy);
  };

  return {
    endpoint(endpointId, at): EndpointHealth {
      const mine = local.get(endpointId);
      const shared = snapshot.get(endpointId);
      // Our own success after the shared record's last failure outranks it.
      const sharedStillTrue = shared !== undefined && !((mine?.lastSuccessAt ?? Number.NEGATIVE_INFINITY) > (shared.lastFailureAt ?? Number.NEGATIVE_INFINITY));
      const degraded =
        (mine !== undefined && isDegraded(mine.breaker, at)) ||
        (sharedStillTrue && shared.degradedUntil !== undefined && at < shared.degradedUntil);
      const failures = [mine?.breaker.lastFailureAt, shared?.lastFailureAt].filter((time) => time !== undefined);
      // Percentiles cost a sort: computed only when a plan asks (sort, preferred_*), not per request.
      return {
        degraded,
        lastFailureAt: failures.length === 0 ? undefined : Math.max(...failures),
        get latencyMs() {
          return percentilesOf(recentSamples([...(shared?.latencySamples ?? []), ...(mine?.latency ?? [])], at, policy.samples));
        },
        get throughputTps() {
          return percentilesOf(recentSamples([...(shared?.throughputSamples ?? []), ...(mine?.throughput ?? [])], at, policy.samples));
        },
      };
    },

    recordSuccess(endpointId, sample) {
      const at = now();
      const state = localOf(endpointId);
      state.breaker = breakerAfterSuccess(state.breaker);
      state.lastSuccessAt = at;
      const news: PendingHealth = { events: [{ kind: 'success', at }], latency: [], throughput: [] };
      if (Number.isFinite(sample.latencyMs) && sample.latencyMs >= 0) {
        state.latency = addSample(state.latency, { at, value: sample.latencyMs });
        news.latency.push({ at, value: sample.latencyMs });
      }
      const tps = sample.tokensPerSecond;
      if (tps !== undefined && Number.isFinite(tps) && tps > 0) {
        state.throughput = addSample(state.throughput, { at, value: tps });
        news.throughput.push({ at, value: tps });
      }
      // A success resets the breaker, so earlier pending breaker events no longer matter.
      remember(state, news);
      state.pending.events = news.events;
    },

    recordFailure(endpointId, failure) {
      if (!countsAgainstEndpoint(failure, policy)) return;
      const at = now();
      const state = localOf(endpointId);
      state.breaker = breakerAfterFailure(state.breaker, at, policy);
      remember(state, { events: [{ kind: 'failure', at }], latency: [], throughput: [] });
    },

    refresh() {
      if (store === undefined) return Promise.resolve();
      if (loading !== undefined) return loading;
      const at = now();
      if (at - loadedAt < policy.cacheTtlMs) return Promise.resolve();
      loading = (async () => {
        try {
          const records = await store.getMany(options.endpointIds ?? [], at);
          snapshot = new Map(records.map((record) => [record.endpointId, record]));
        } catch (error) {
          onError(error);
        } finally {
          // After a failure too: retry after the TTL, not on every request.
          loadedAt = at;
          loading = undefined;
        }
      })();
      return loading;
    },

    async flush() {
      if (store === undefined) return;
      const writes = [...local.entries()]
        .filter(([, state]) => hasNews(state.pending))
        .map(async ([endpointId, state]) => {
          const news = state.pending;
          state.pending = emptyPending();
          try {
            const at = now();
            const record = await store.update(endpointId, at, (current) => mergeIntoRecord(current, news, at, policy), {
              maxAttempts: policy.maxWriteAttempts,
            });
            snapshot.set(endpointId, record);
          } catch (error) {
            state.pending = combinePending(news, state.pending, policy);
            onError(error);
          }
        });
      await Promise.all(writes);
    },
  };
}
