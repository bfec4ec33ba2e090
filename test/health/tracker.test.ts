import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthTracker } from '../../lib/health/tracker.ts';
import { createHealthStore, type HealthStore } from '../../lib/store/health.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const T0 = 1_750_000_000_000;
/** The catalog's endpoints, as the gateway hands them to its tracker. */
const ENDPOINTS = ['shared@a', 'shared@b', 'shared@c', 'shared@d'];
const SECOND = 1000;

function fakeClock(start = T0) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** Counts store calls, and can be told to fail. */
function instrumented(inner: HealthStore) {
  const calls = { getMany: 0, update: 0 };
  let failing = false;
  const store: HealthStore = {
    get: (id, now) => inner.get(id, now),
    getMany: (ids, now) => (calls.getMany++, inner.getMany(ids, now)),
    update: (id, now, change, options) => {
      calls.update++;
      return failing ? Promise.reject(new Error('store down')) : inner.update(id, now, change, options);
    },
  };
  return { store, calls, fail: (value: boolean) => (failing = value) };
}

describe('health tracker statistics', () => {
  it('reports p50/p75/p90/p99 of recent latency and throughput', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now, policy: { samples: { maxSamples: 100 } } });
    for (let value = 1; value <= 100; value++) tracker.recordSuccess('e', { latencyMs: value * 10, tokensPerSecond: value });
    expect(tracker.endpoint('e', clock.now())).toMatchObject({
      latencyMs: { p50: 500, p75: 750, p90: 900, p99: 990 },
      throughputTps: { p50: 50, p75: 75, p90: 90, p99: 99 },
    });
  });

  it('keeps a bounded window of the newest samples', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now, policy: { samples: { maxSamples: 10 } } });
    for (let value = 1; value <= 50; value++) {
      tracker.recordSuccess('e', { latencyMs: value });
      clock.advance(1);
    }
    expect(tracker.endpoint('e', clock.now()).latencyMs).toEqual({ p50: 45, p75: 48, p90: 49, p99: 50 });
  });

  it('forgets samples older than five minutes', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now });
    tracker.recordSuccess('e', { latencyMs: 9000 });
    clock.advance(4 * 60 * SECOND);
    tracker.recordSuccess('e', { latencyMs: 100 });
    expect(tracker.endpoint('e', clock.now()).latencyMs?.p99).toBe(9000);
    clock.advance(61 * SECOND);
    expect(tracker.endpoint('e', clock.now()).latencyMs).toEqual({ p50: 100, p75: 100, p90: 100, p99: 100 });
  });

  it('ignores samples that are not measurements', () => {
    const clock = fakeClock();
    const tracker = createHealthTracker({ now: clock.now });
    tracker.recordSuccess('e', { latencyMs: Number.NaN, tokensPerSecond: undefined });
    tracker.recordSuccess('e', { latencyMs: -5, tokensPerSecond: 0 });
    expect(tracker.endpoint('e', clock.now())).toEqual({ degraded: false, lastFailureAt: undefined, latencyMs: undefined, throughputTps: undefined });
  });

  it('works without a store: refresh and flush do nothing', async () => {
    const tracker = createHealthTracker({ now: () => T0 });
    tracker.recordFailure('e', { status: 500 });
    await expect(tracker.refresh()).resolves.toBeUndefined();
    await expect(tracker.flush()).resolves.toBeUndefined();
    expect(tracker.endpoint('e', T0).lastFailureAt).toBe(T0);
  });
});

describe('health tracker with the shared store (dynalite)', () => {
  let dynamo: TestDynamo;
  let store: HealthStore;

  beforeAll(async () => {
    dynamo = await startDynamo();
    store = createHealthStore({ client: dynamo.client, name: dynamo.tableName });
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('adds up failures from several containers into one breaker', async () => {
    const clock = fakeClock();
    const first = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    const second = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    const third = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    for (let index = 0; index < 3; index++) first.recordFailure('shared@a', { status: 502 });
    for (let index = 0; index < 2; index++) second.recordFailure('shared@a', { status: 503 });
    expect(first.endpoint('shared@a', clock.now()).degraded).toBe(false);
    await Promise.all([first.flush(), second.flush()]);

    await third.refresh();
    expect(third.endpoint('shared@a', clock.now())).toMatchObject({ degraded: true, lastFailureAt: T0 });
    const record = await store.get('shared@a', clock.now());
    expect(record).toMatchObject({ degradedUntil: T0 + 60 * SECOND, failures: [] });

    clock.advance(60 * SECOND);
    expect(third.endpoint('shared@a', clock.now()).degraded).toBe(false);
  });

  it('shares latency samples and serves percentiles of all containers', async () => {
    const clock = fakeClock();
    const first = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    const second = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    first.recordSuccess('shared@b', { latencyMs: 100, tokensPerSecond: 40 });
    clock.advance(1);
    second.recordSuccess('shared@b', { latencyMs: 300, tokensPerSecond: 60 });
    await first.flush();
    await second.flush();
    clock.advance(5 * SECOND);
    await first.refresh();
    expect(first.endpoint('shared@b', clock.now())).toMatchObject({ latencyMs: { p50: 100, p99: 300 }, throughputTps: { p50: 40, p99: 60 } });
    const record = await store.get('shared@b', clock.now());
    expect(record?.latencyMs).toEqual({ p50: 100, p75: 300, p90: 300, p99: 300 });
  });

  it('reads the store at most once per cache TTL, off the request path', async () => {
    const clock = fakeClock();
    const { store: counted, calls } = instrumented(store);
    const tracker = createHealthTracker({ store: counted, now: clock.now, cacheTtlMs: 5000, endpointIds: ENDPOINTS });
    await Promise.all([tracker.refresh(), tracker.refresh()]);
    tracker.endpoint('shared@a', clock.now());
    clock.advance(4999);
    await tracker.refresh();
    expect(calls.getMany).toBe(1);
    clock.advance(1);
    await tracker.refresh();
    expect(calls.getMany).toBe(2);
  });

  it('loads the endpoints it is told of by key', async () => {
    const { store: counted, calls } = instrumented(store);
    const tracker = createHealthTracker({ store: counted, now: () => T0, endpointIds: ['shared@a', 'shared@b'] });
    await tracker.refresh();
    expect(calls).toMatchObject({ getMany: 1 });
    expect(tracker.endpoint('shared@a', T0).degraded).toBe(true);
  });

  it('keeps unwritten news for the next flush when the store fails, and reports the error', async () => {
    const clock = fakeClock();
    const { store: flaky, fail } = instrumented(store);
    const errors: unknown[] = [];
    const tracker = createHealthTracker({ store: flaky, now: clock.now, onError: (error) => errors.push(error), endpointIds: ENDPOINTS });
    fail(true);
    for (let index = 0; index < 5; index++) tracker.recordFailure('shared@c', { status: 500 });
    await expect(tracker.flush()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(await store.get('shared@c', clock.now())).toBeUndefined();

    fail(false);
    await tracker.flush();
    expect(await store.get('shared@c', clock.now())).toMatchObject({ degradedUntil: T0 + 60 * SECOND });
  });

  it('lets its own later success outrank a shared open breaker', async () => {
    const clock = fakeClock();
    const writer = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    for (let index = 0; index < 5; index++) writer.recordFailure('shared@d', { status: 500 });
    await writer.flush();
    const reader = createHealthTracker({ store, now: clock.now, endpointIds: ENDPOINTS });
    await reader.refresh();
    expect(reader.endpoint('shared@d', clock.now()).degraded).toBe(true);
    clock.advance(SECOND);
    reader.recordSuccess('shared@d', { latencyMs: 200 });
    expect(reader.endpoint('shared@d', clock.now()).degraded).toBe(false);
    await reader.flush();
    expect((await store.get('shared@d', clock.now()))?.degradedUntil).toBeUndefined();
  });

  it('does not read the store when asked for health', () => {
    const { store: counted, calls } = instrumented(store);
    const tracker = createHealthTracker({ store: counted, now: () => T0, endpointIds: ENDPOINTS });
    for (let index = 0; index < 100; index++) tracker.endpoint('shared@a', T0);
    expect(calls).toEqual({ getMany: 0, update: 0 });
  });
});
