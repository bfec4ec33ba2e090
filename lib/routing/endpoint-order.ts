// Orderings of a model's endpoints: explicit sorts, `order`, the default
// price-weighted draw, and the soft and health partitions that move
// endpoints to the back without removing them (openrouter-api.md §3.1–3.3).
import type { ProviderPreferences } from '../api/chat-request.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { addDecimal, compareDecimal } from './decimal.ts';
import type { SortKey } from './model-resolution.ts';
import { orderRank } from './provider-match.ts';
import type { EndpointHealth, Percentiles } from './types.ts';

export type HealthOf = (endpoint: Endpoint) => EndpointHealth;

/** Prompt plus completion price per million tokens, exact. */
export function blendedPrice(endpoint: Endpoint): string {
  return addDecimal(endpoint.pricing.prompt, endpoint.pricing.completion);
}

const byPrice = (a: Endpoint, b: Endpoint): number => compareDecimal(blendedPrice(a), blendedPrice(b));

/** Endpoints without stats sort after those with stats; ties go to the cheaper. */
function byStat(stat: (endpoint: Endpoint) => number | undefined, direction: 1 | -1) {
  return (a: Endpoint, b: Endpoint): number => {
    const left = stat(a);
    const right = stat(b);
    if (left === undefined || right === undefined) {
      return left === right ? byPrice(a, b) : left === undefined ? 1 : -1;
    }
    return left === right ? byPrice(a, b) : (left - right) * direction;
  };
}

export function sortEndpoints(endpoints: readonly Endpoint[], key: SortKey, health: HealthOf): Endpoint[] {
  switch (key) {
    case 'throughput':
      return [...endpoints].sort(byStat((endpoint) => health(endpoint).throughputTps?.p50, -1));
    case 'latency':
      return [...endpoints].sort(byStat((endpoint) => health(endpoint).latencyMs?.p50, 1));
    // Exacto ranks by tool-calling quality signals this gateway does not collect; price is the stand-in.
    case 'exacto':
    case 'price':
      return [...endpoints].sort(byPrice);
  }
}

/** `order` entries first, in the given order; the rest after them, by `then` or cheapest first. */
export function orderedByPreference(
  endpoints: readonly Endpoint[],
  order: readonly string[],
  then: (rest: readonly Endpoint[]) => Endpoint[],
): Endpoint[] {
  const ranked = endpoints.filter((endpoint) => orderRank(endpoint, order) !== undefined);
  ranked.sort((a, b) => (orderRank(a, order) ?? 0) - (orderRank(b, order) ?? 0) || byPrice(a, b));
  return [...ranked, ...then(endpoints.filter((endpoint) => !ranked.includes(endpoint)))];
}

export function cheapestFirst(endpoints: readonly Endpoint[]): Endpoint[] {
  return [...endpoints].sort(byPrice);
}

/**
 * Draw without replacement, each pick weighted by 1/price² (§3.1's worked
 * example: $1 is 9× as likely as $3). The float is only a weight, never
 * money. Free endpoints outweigh any priced one and share the draw evenly.
 */
export function priceWeightedDraw(endpoints: readonly Endpoint[], random: () => number): Endpoint[] {
  const pool = endpoints.map((endpoint) => ({ endpoint, weight: inverseSquare(Number(blendedPrice(endpoint))) }));
  const drawn: Endpoint[] = [];
  while (pool.length > 0) {
    const index = pick(pool.map((entry) => entry.weight), random());
    const [entry] = pool.splice(index, 1);
    if (entry !== undefined) drawn.push(entry.endpoint);
  }
  return drawn;
}

function inverseSquare(price: number): number {
  return price === 0 ? Number.POSITIVE_INFINITY : 1 / (price * price);
}

function pick(weights: readonly number[], draw: number): number {
  const free = weights.flatMap((weight, index) => (weight === Number.POSITIVE_INFINITY ? [index] : []));
  if (free.length > 0) return free[Math.min(free.length - 1, Math.floor(draw * free.length))] ?? 0;
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let remaining = draw * total;
  for (const [index, weight] of weights.entries()) {
    remaining -= weight;
    if (remaining < 0) return index;
  }
  return weights.length - 1;
}

/** Stable partition: those that pass first, order otherwise kept. */
export function passingFirst(endpoints: readonly Endpoint[], passes: (endpoint: Endpoint) => boolean): Endpoint[] {
  return [...endpoints.filter(passes), ...endpoints.filter((endpoint) => !passes(endpoint))];
}

type Cutoffs = Partial<Percentiles>;

function cutoffs(value: number | Cutoffs | undefined, scale: number): Cutoffs | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { p50: value * scale };
  const scaled: Cutoffs = {};
  for (const key of ['p50', 'p75', 'p90', 'p99'] as const) {
    const cutoff = value[key];
    if (cutoff !== undefined) scaled[key] = cutoff * scale;
  }
  return scaled;
}

/**
 * `preferred_min_throughput` (tokens/s) and `preferred_max_latency`
 * (seconds): every given percentile must pass. An endpoint without stats
 * cannot show that it passes, so it moves back with the failing ones.
 */
export function meetsPreferences(preferences: ProviderPreferences, health: HealthOf): ((endpoint: Endpoint) => boolean) | undefined {
  const throughput = cutoffs(preferences.preferred_min_throughput, 1);
  const latency = cutoffs(preferences.preferred_max_latency, 1000);
  if (throughput === undefined && latency === undefined) return undefined;
  return (endpoint) => {
    const stats = health(endpoint);
    return within(stats.throughputTps, throughput, (actual, cutoff) => actual >= cutoff) &&
      within(stats.latencyMs, latency, (actual, cutoff) => actual <= cutoff);
  };
}

function within(stats: Percentiles | undefined, limits: Cutoffs | undefined, passes: (actual: number, cutoff: number) => boolean): boolean {
  if (limits === undefined) return true;
  return Object.entries(limits).every(([key, cutoff]) => {
    if (stats === undefined) return false;
    return passes(stats[key as keyof Percentiles], cutoff);
  });
}
