// The shapes routing shares with lib/health and the attempt loop.
import type { Endpoint } from '../catalog/catalog.ts';

/** A synchronous snapshot of endpoint health; lib/health provides the real one. */
export interface HealthView {
  endpoint(endpointId: string, now: number): EndpointHealth;
}

export interface EndpointHealth {
  /** The breaker is open. */
  degraded: boolean;
  /** Epoch milliseconds of the last failure that counts against the endpoint. */
  lastFailureAt: number | undefined;
  /** Time to first token. */
  latencyMs: Percentiles | undefined;
  /** Output tokens per second while streaming. */
  throughputTps: Percentiles | undefined;
}

export interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

export interface ExcludedEndpoint {
  endpoint: string;
  /** Display name, as responses name providers. */
  provider: string;
  model: string;
  /** OpenRouter's `excluded_by` vocabulary: `max_price`, `context_length`, … */
  excludedBy: string;
}

export interface AttemptPlan {
  /** In the order to try them. */
  attempts: Endpoint[];
  /** Endpoints of the requested models a hard filter removed. */
  excluded: ExcludedEndpoint[];
  /** Endpoints of the plan moved behind the healthy ones, and why (GET /generation says it). */
  deprioritized: DeprioritizedEndpoint[];
}

/**
 * Why an endpoint went after the others: `breaker_open` (its breaker is
 * open: it goes last even under an explicit `order`), `failed_recently` (it
 * failed in the last 30 s; an explicit `order` keeps it where it was put).
 */
export type DeprioritizedReason = 'breaker_open' | 'failed_recently';

export interface DeprioritizedEndpoint {
  endpoint: string;
  provider: string;
  reason: DeprioritizedReason;
}

/** Remembers which endpoint served a conversation, per (session key, model). */
export interface StickySessions {
  /** The endpoint id remembered for (key, model), unless idle too long. */
  get(key: string, modelId: string, now: number): string | undefined;
  /** Remember (or refresh) after a success. */
  set(key: string, modelId: string, endpointId: string, now: number): void;
  forget(key: string, modelId: string): void;
}
