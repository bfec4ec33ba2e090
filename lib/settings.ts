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
  attempts: {
    /**
     * Per attempt, streamed or not: the longest an upstream may stay silent
     * before the commit point (before its headers, after them, or between
     * events) before it is abandoned and the next endpoint tried.
     */
    firstEventTimeoutMs: number;
    /** Per embeddings attempt: time allowed until the whole reply is in (OpenAI's SDKs wait 10 minutes). */
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
   * stream and the reply is short (`jsonUpstreamMaxTokens`); everything else
   * is streamed from upstream and assembled. One JSON reply costs less CPU
   * than an assembled stream on every wire the bench measures (BENCHMARKS.md,
   * "A JSON request": 11% on openai, 22% on gemini, 19% on anthropic in the
   * quick run of 2026-12-06), but arrives whole or not at all, so a silent
   * upstream and a long, live one look the same until the whole reply is in.
   * Anthropic (and Bedrock, mostly Claude) are always streamed: Anthropic's
   * own SDKs refuse a non-streamed request that may run long.
   */
  jsonUpstream: readonly WireKind[];
  /**
   * The largest output cap asked for as one JSON reply: at a slow 20 tokens
   * per second 256 tokens take 13 s, inside the 30-s first-event bound with
   * room for the prompt. The choice (issue 21, failover bounded the same for
   * every request), measured with `npm run bench -- --quick`: the bench's
   * 50-token JSON requests keep the JSON upstream's CPU (1.25 ms per request
   * at c=10 before and after); a request with a larger cap is streamed
   * (+0.2–0.4 ms CPU, "A JSON request"), and every request, streamed or not,
   * now fails over from a silent upstream at `firstEventTimeoutMs` (30 s)
   * instead of `wholeReplyTimeoutMs` (10 minutes) for a JSON one.
   */
  jsonUpstreamMaxTokens: number;
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
  jsonUpstreamMaxTokens: 256,
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
