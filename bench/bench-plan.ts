// How much the run measures: bounded counts and a time budget per cell, so
// it stops by itself. `--quick` is for developing the harness, not for figures.

export interface BenchPlan {
  name: 'full' | 'quick';
  /** Rounds per cell; the target order alternates (D N S P, then P S N D). */
  rounds: number;
  concurrencies: readonly number[];
  /** Requests per target per round, by concurrency. */
  requestsAt: (concurrency: number) => number;
  /** No new request starts after this, per target per round. */
  runBudgetMs: number;
  /** Warm-up before any measurement, per target and mode, at concurrency 10. */
  warmUpRequests: number;
  coldStartRuns: number;
  /** Warm invocations timed in parts, in the last cold-start process. */
  warmInvocations: number;
  /** Seconds of profiled load per profiled mode. */
  profileSeconds: number;
}

export const FULL_PLAN: BenchPlan = {
  name: 'full',
  rounds: 6,
  concurrencies: [1, 10, 50],
  requestsAt: (concurrency) => (concurrency === 1 ? 80 : concurrency === 10 ? 300 : 500),
  runBudgetMs: 3_000,
  warmUpRequests: 200,
  coldStartRuns: 5,
  warmInvocations: 50,
  profileSeconds: 10,
};

export const QUICK_PLAN: BenchPlan = {
  name: 'quick',
  rounds: 2,
  concurrencies: [1, 10, 50],
  requestsAt: (concurrency) => (concurrency === 1 ? 15 : concurrency === 10 ? 60 : 100),
  runBudgetMs: 600,
  warmUpRequests: 40,
  coldStartRuns: 1,
  warmInvocations: 10,
  profileSeconds: 3,
};
