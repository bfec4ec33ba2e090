// The dashboard's activity view from hourly rollups: a time series per hour
// or day, breakdowns by model, provider and key, latency percentiles, the
// fallback rate and errors by status. Pure: rollups in, wire object out.
import { microsToUsd } from '../billing/cost.ts';
import { emptyCounters, LATENCY_BUCKET_EDGES_MS, mergeCounters, type ActivityCounters, type ActivityRollup } from '../store/activity-rollups.ts';

export type Granularity = 'hour' | 'day';

export interface SummaryWindow {
  /** Epoch ms, inclusive, at an hour (or day) boundary. */
  fromMs: number;
  /** Epoch ms, exclusive. */
  toMs: number;
  granularity: Granularity;
}

const HOUR_MS = 3_600_000;
const stepMs = (granularity: Granularity): number => (granularity === 'hour' ? HOUR_MS : 24 * HOUR_MS);

/** The rollup's hour as epoch ms. */
const hourStart = (rollup: ActivityRollup): number => Date.parse(`${rollup.hour}:00:00.000Z`);

/**
 * The latency at a rank, read from a histogram: the upper edge of the bucket
 * the rank falls in (the open last bucket reports its lower edge), or null
 * without samples.
 */
export function histogramPercentile(buckets: readonly number[], fraction: number): number | null {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (let index = 0; index < buckets.length; index += 1) {
    seen += buckets[index] ?? 0;
    if (seen >= rank) return LATENCY_BUCKET_EDGES_MS[index] ?? LATENCY_BUCKET_EDGES_MS.at(-1) ?? null;
  }
  return null;
}

function latencyToWire(buckets: readonly number[]): Record<string, unknown> {
  return {
    count: buckets.reduce((sum, count) => sum + count, 0),
    p50: histogramPercentile(buckets, 0.5),
    p90: histogramPercentile(buckets, 0.9),
    p99: histogramPercentile(buckets, 0.99),
    // Bucket i holds samples ≤ edges[i] (and above the previous edge); the last is everything beyond.
    histogram: buckets.map((count, index) => ({ le_ms: LATENCY_BUCKET_EDGES_MS[index] ?? null, count })),
  };
}

function countersToWire(counters: ActivityCounters): Record<string, number> {
  return {
    requests: counters.requests,
    errors: counters.errors,
    fallbacks: counters.fallbacks,
    prompt_tokens: counters.promptTokens,
    completion_tokens: counters.completionTokens,
    reasoning_tokens: counters.reasoningTokens,
    cached_tokens: counters.cachedTokens,
    usage: microsToUsd(counters.costMicros),
  };
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

function breakdown(rollups: readonly ActivityRollup[], keyOf: (rollup: ActivityRollup) => string | null, label: string): Record<string, unknown>[] {
  const groups = new Map<string, ActivityCounters>();
  for (const rollup of rollups) {
    const key = keyOf(rollup) ?? '(none served)';
    let counters = groups.get(key);
    if (counters === undefined) groups.set(key, (counters = emptyCounters()));
    mergeCounters(counters, rollup.counters);
  }
  return [...groups.entries()]
    .sort(([, a], [, b]) => b.costMicros - a.costMicros || b.requests - a.requests)
    .map(([key, counters]) => ({ [label]: key, ...countersToWire(counters), error_rate: ratio(counters.errors, counters.requests) }));
}

export function activitySummary(rollups: readonly ActivityRollup[], window: SummaryWindow): Record<string, unknown> {
  const inWindow = rollups.filter((rollup) => {
    const start = hourStart(rollup);
    return start >= window.fromMs && start < window.toMs;
  });
  const step = stepMs(window.granularity);
  const points = Math.ceil((window.toMs - window.fromMs) / step);
  const series = Array.from({ length: points }, () => emptyCounters());
  const totals = emptyCounters();
  for (const rollup of inWindow) {
    const point = series[Math.floor((hourStart(rollup) - window.fromMs) / step)];
    if (point !== undefined) mergeCounters(point, rollup.counters);
    mergeCounters(totals, rollup.counters);
  }
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    granularity: window.granularity,
    totals: {
      ...countersToWire(totals),
      error_rate: ratio(totals.errors, totals.requests),
      fallback_rate: ratio(totals.fallbacks, totals.requests),
    },
    series: series.map((counters, index) => ({ start: new Date(window.fromMs + index * step).toISOString(), ...countersToWire(counters) })),
    by_model: breakdown(inWindow, (rollup) => rollup.model, 'model'),
    by_provider: breakdown(inWindow, (rollup) => rollup.provider, 'provider'),
    by_key: breakdown(inWindow, (rollup) => rollup.keyHashPrefix, 'key_hash_prefix'),
    statuses: [...totals.statuses.entries()].sort(([a], [b]) => a - b).map(([status, requests]) => ({ status, requests })),
    latency: { ttfb_ms: latencyToWire(totals.ttfbBuckets), total_ms: latencyToWire(totals.latencyBuckets) },
  };
}

/**
 * OpenRouter's `GET /activity` items (openrouter-api.md §1.3): per UTC day
 * and endpoint that served. Requests nothing served cost nothing and have
 * no endpoint, so they are not among them.
 */
export function activityItems(rollups: readonly ActivityRollup[]): Record<string, unknown>[] {
  const groups = new Map<string, { date: string; rollup: ActivityRollup; counters: ActivityCounters }>();
  for (const rollup of rollups) {
    if (rollup.endpoint === null) continue;
    const date = rollup.hour.slice(0, 10);
    const id = `${date}|${rollup.endpoint}`;
    let group = groups.get(id);
    if (group === undefined) groups.set(id, (group = { date, rollup, counters: emptyCounters() }));
    mergeCounters(group.counters, rollup.counters);
  }
  return [...groups.values()]
    .sort((a, b) => b.date.localeCompare(a.date) || b.counters.costMicros - a.counters.costMicros)
    .map(({ date, rollup, counters }) => ({
      date,
      model: rollup.model,
      model_permaslug: rollup.model,
      endpoint_id: rollup.endpoint,
      provider_name: rollup.provider ?? '',
      usage: microsToUsd(counters.costMicros),
      byok_usage_inference: 0,
      requests: counters.requests,
      prompt_tokens: counters.promptTokens,
      completion_tokens: counters.completionTokens,
      reasoning_tokens: counters.reasoningTokens,
    }));
}
