export { createHealthTracker, type HealthTracker, type HealthTrackerOptions, type SuccessReport } from './tracker.ts';
export { runProbe, type ProbeOptions, type ProbeResult, type ProbeSummary } from './probe.ts';
export {
  countsAgainstEndpoint,
  defaultHealthPolicy,
  healthPolicy,
  healthPolicySchema,
  type FailureReport,
  type HealthPolicy,
  type HealthPolicyInput,
} from './policy.ts';
export { breakerAfterFailure, breakerAfterSuccess, closedBreaker, isDegraded, type BreakerState } from './breaker.ts';
export { percentilesOf, recentSamples, type Sample } from './samples.ts';
