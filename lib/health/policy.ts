// Health policy as data (STYLE 10): breaker thresholds, sample windows,
// cache and record lifetimes, probe limits. Defaults live here only.
import { z } from 'zod';

const milliseconds = z.number().int().nonnegative();

export const healthPolicySchema = z.object({
  breaker: z
    .object({
      /** Failures within `failureWindowMs` that open the breaker (DESIGN decision 8: 5 within 60 s). */
      failureThreshold: z.number().int().positive().default(5),
      failureWindowMs: milliseconds.default(60_000),
      /** How long an open breaker keeps the endpoint degraded (60 s). */
      openMs: milliseconds.default(60_000),
    })
    .prefault({}),
  /** Upstream statuses that count against an endpoint; 5xx and connect failures always do. */
  countedStatuses: z.array(z.number().int()).default([401, 408, 429]),
  /** Error types that count even without a status (timeouts, refused connections). */
  countedErrorTypes: z.array(z.string()).default(['timeout', 'provider_unavailable', 'provider_overloaded', 'server']),
  samples: z
    .object({
      /** Recent samples kept per endpoint and statistic. */
      maxSamples: z.number().int().positive().default(50),
      /** OpenRouter's stats use a rolling 5-minute window (openrouter-api.md §2.4). */
      windowMs: milliseconds.default(300_000),
    })
    .prefault({}),
  /** Snapshot age before `refresh` reloads it from the store (DESIGN decision 4: 5 s). */
  cacheTtlMs: milliseconds.default(5_000),
  /** A health record nobody updates for this long expires. */
  recordTtlSeconds: z.number().int().positive().default(3_600),
  /** Failed optimistic writes retried before giving up. */
  maxWriteAttempts: z.number().int().positive().default(4),
  probe: z
    .object({
      timeoutMs: milliseconds.default(15_000),
      concurrency: z.number().int().positive().default(4),
    })
    .prefault({}),
});

export type HealthPolicy = z.output<typeof healthPolicySchema>;
export type HealthPolicyInput = z.input<typeof healthPolicySchema>;

export const defaultHealthPolicy: HealthPolicy = healthPolicySchema.parse({});

export function healthPolicy(overrides: HealthPolicyInput = {}): HealthPolicy {
  return healthPolicySchema.parse(overrides);
}

export interface FailureReport {
  /** The upstream's HTTP status, when it answered. */
  status?: number;
  /** The GatewayError type. */
  errorType?: string;
}

/**
 * Whether a failed attempt says something about the endpoint. A caller's
 * mistake (400, 404, 413, a content filter) does not; an outage, a
 * throttle, a timeout or our own rejected credential does.
 */
export function countsAgainstEndpoint(failure: FailureReport, policy: HealthPolicy = defaultHealthPolicy): boolean {
  if (failure.status !== undefined && failure.status > 0) {
    return failure.status >= 500 || policy.countedStatuses.includes(failure.status);
  }
  return failure.errorType === undefined || policy.countedErrorTypes.includes(failure.errorType);
}
