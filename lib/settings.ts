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
   * "A JSON request"), but arrives whole or not at all: until it is in, a
   * silent upstream and a long, live one look the same. Anthropic (and
   * Bedrock, mostly Claude) are always streamed: Anthropic's own SDKs refuse
   * a non-streamed request that may run long.
   */
  jsonUpstream: readonly WireKind[];
  /**
   * The largest output cap asked for as one JSON reply, so that failover is
   * bounded the same for every request (issue 21): a JSON attempt, like a
   * streamed one, is abandoned after `firstEventTimeoutMs` of silence, which
   * only a reply short enough to arrive whole within it can take (256 tokens
   * at a slow 20 tokens/s is 13 s of the 30 s, leaving the rest for the
   * prompt); a longer one is streamed, so a live reply (a reasoning model
   * thinking for minutes) keeps the attempt alive event by event. Measured
   * with `npm run bench -- --quick` (2026-12-06, a shared 2-core machine):
   * streaming a 50-token JSON request costs 9–34% more CPU than asking for
   * JSON (openai 1.67 vs 1.85 ms, gemini 1.61 vs 2.45 ms per request), so
   * short replies, the bench's JSON cells among them, stay JSON upstream;
   * a silent upstream now costs a JSON request 30 s before the next endpoint
   * instead of `wholeReplyTimeoutMs` (10 minutes).
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
