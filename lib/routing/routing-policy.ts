// Routing policy as data: every threshold the planner and the sticky store
// use, with defaults in this one place (STYLE 10).
import { z } from 'zod';

export const routingPolicySchema = z.object({
  /** An endpoint that failed this recently goes after the healthy ones (openrouter-api.md §3.1: 30 s). */
  recentFailureMs: z.number().int().nonnegative().default(30_000),
  /** A sticky session is forgotten after this long without a success (§3.4: 10 minutes). */
  stickyIdleMs: z.number().int().positive().default(600_000),
  /** Bound on remembered sessions per container; the least recently used go first. */
  stickyMaxEntries: z.number().int().positive().default(10_000),
});

export type RoutingPolicy = z.output<typeof routingPolicySchema>;
export type RoutingPolicyInput = z.input<typeof routingPolicySchema>;

export const defaultRoutingPolicy: RoutingPolicy = routingPolicySchema.parse({});

export function routingPolicy(overrides: RoutingPolicyInput = {}): RoutingPolicy {
  return routingPolicySchema.parse(overrides);
}
