// Rolling statistics: a bounded window of recent samples per endpoint, and
// their percentiles (nearest rank).
import type { Percentiles } from '../routing/types.ts';

export interface Sample {
  /** Epoch ms it was taken. */
  at: number;
  value: number;
}

export interface SampleWindow {
  maxSamples: number;
  windowMs: number;
}

/**
 * The newest samples inside the window, oldest first, without duplicates.
 * Samples a little in the future (another container's clock) are kept.
 */
export function recentSamples(samples: readonly Sample[], now: number, window: SampleWindow): Sample[] {
  const since = now - window.windowMs;
  const seen = new Set<string>();
  const kept: Sample[] = [];
  for (const sample of samples) {
    const key = `${sample.at}:${sample.value}`;
    if (sample.at <= since || seen.has(key) || !Number.isFinite(sample.value)) continue;
    seen.add(key);
    kept.push(sample);
  }
  kept.sort((a, b) => a.at - b.at);
  return kept.slice(-window.maxSamples);
}

export function percentilesOf(samples: readonly Sample[]): Percentiles | undefined {
  if (samples.length === 0) return undefined;
  const values = samples.map((sample) => sample.value).sort((a, b) => a - b);
  const rank = (fraction: number): number => values[Math.max(0, Math.ceil(fraction * values.length) - 1)] ?? 0;
  return { p50: rank(0.5), p75: rank(0.75), p90: rank(0.9), p99: rank(0.99) };
}
