// A key's `requestsPerMinute`: a fixed one-minute window (UTC minutes).
// Over the limit → 429 with `Retry-After` and OpenRouter's `X-RateLimit-*`
// headers (Reset as epoch milliseconds, as OpenRouter sends it). Keys
// without a limit are not counted: no database work on their hot path.
import { GatewayError } from '../api/errors.ts';
import type { Table } from '../store/dynamo.ts';
import type { KeyRecord } from '../store/keys.ts';
import { countRequest, RATE_WINDOW_MS } from '../store/rate-limits.ts';

/** The headers to send with the response; empty for a key without a limit. */
export async function enforceRateLimit(table: Table, key: KeyRecord, now: number): Promise<Record<string, string>> {
  const limit = key.requestsPerMinute;
  if (limit === null) return {};
  const resetAt = (Math.floor(now / RATE_WINDOW_MS) + 1) * RATE_WINDOW_MS;
  const counted = await countRequest(table, key.hash, limit, now);
  const headers = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(counted.allowed ? Math.max(0, limit - counted.count) : 0),
    'x-ratelimit-reset': String(resetAt),
  };
  if (counted.allowed) return headers;
  const retryAfterMs = resetAt - now;
  throw new GatewayError({
    status: 429,
    type: 'rate_limit_exceeded',
    message: `Rate limit exceeded: this key may make ${limit} requests per minute. Retry after ${Math.ceil(retryAfterMs / 1000)} s.`,
    retryAfterMs,
    metadata: { limit_source: 'switchyard_key_rate_limit', headers: { 'X-RateLimit-Limit': headers['x-ratelimit-limit'], 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': headers['x-ratelimit-reset'] } },
    headers: { ...headers, 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}
