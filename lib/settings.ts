// Policy as data: every threshold, timeout and TTL in one place, with
// defaults (STYLE point 10). The edges may override any of them.
import type { WireKind } from './catalog/schema.ts';

export interface Settings {
  /** Request bodies beyond this get 413 (a Lambda request carries at most 6 MB). */
  maxBodyBytes: number;
  keyCacheTtlMs: number;
  negativeKeyCacheTtlMs: number;
  keyCacheMaxEntries: number;
  /** Output cap used when the caller sets none and the endpoint allows more. */
  defaultMaxTokens: number;
  /** Holds not settled by then are reclaimed; longer than the longest request. */
  holdTtlMs: number;
  generationTtlDays: number;
  /** Health news is written to the store at most this often (it is soft state). */
  healthFlushIntervalMs: number;
  /**
   * On SIGINT/SIGTERM (local mode), requests in flight may finish for this
   * long; the rest then end as a cut-off stream ends, with the in-band error
   * (DESIGN decision 14). Local mode reads SWITCHYARD_SHUTDOWN_DRAIN_MS.
   */
  shutdownDrainMs: number;
  attempts: {
    /** Per streamed attempt: time allowed until the first event. */
    firstEventTimeoutMs: number;
    /** Per attempt asked for one JSON reply: time allowed until the whole reply is in (OpenAI's SDKs wait 10 minutes). */
    wholeReplyTimeoutMs: number;
    /** The whole request, first byte to last. */
    deadlineMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** A longer `retry-after` than this is not waited for: the next endpoint is tried after the backoff. */
    maxRetryAfterMs: number;
  };
  /**
   * Wire kinds asked for one JSON reply when the caller did not ask for a
   * stream; the others are streamed and assembled. One JSON reply costs a
   * fifth to a quarter less CPU than an assembled stream on every wire the
   * bench measures (BENCHMARKS.md, "A JSON request"), but commits only once
   * whole: Anthropic (and Bedrock, mostly Claude) are still streamed, because
   * Anthropic's own SDKs refuse a non-streamed request that may run past ten
   * minutes (a long idle connection is dropped on the way), and a stream
   * reaches the commit point at its first token.
   */
  jsonUpstream: readonly WireKind[];
  keepAlive: {
    /** Streaming requests that have not committed after this get a 200 and `: OPENROUTER PROCESSING` comments. */
    firstAfterMs: number;
    intervalMs: number;
  };
}

export const defaultSettings: Settings = {
  maxBodyBytes: 6 * 1024 * 1024,
  keyCacheTtlMs: 60_000,
  negativeKeyCacheTtlMs: 5_000,
  keyCacheMaxEntries: 10_000,
  defaultMaxTokens: 16_384,
  holdTtlMs: 20 * 60_000,
  generationTtlDays: 30,
  healthFlushIntervalMs: 5_000,
  shutdownDrainMs: 10_000,
  attempts: {
    firstEventTimeoutMs: 30_000,
    wholeReplyTimeoutMs: 600_000,
    deadlineMs: 14 * 60_000,
    maxAttempts: 8,
    backoffBaseMs: 25,
    backoffMaxMs: 1_000,
    maxRetryAfterMs: 2_000,
  },
  jsonUpstream: ['openai', 'gemini'],
  keepAlive: { firstAfterMs: 3_000, intervalMs: 10_000 },
};

/** Defaults with some values replaced (one level deep for the nested groups). */
export function settingsWith(overrides: Partial<Settings> = {}): Settings {
  return {
    ...defaultSettings,
    ...overrides,
    attempts: { ...defaultSettings.attempts, ...overrides.attempts },
    keepAlive: { ...defaultSettings.keepAlive, ...overrides.keepAlive },
  };
}
