// One DynamoDB table holds every item type, told apart by `pk` prefixes.
// The TTL attribute is `ttl` (epoch seconds); DynamoDB deletes lazily, so
// every read checks it too (reliability.md §1.4).

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** The attribute DynamoDB's TTL is configured on; infra/ must name the same one. */
export const TTL_ATTRIBUTE = 'ttl';

/** Whether an item whose TTL attribute is `ttl` has expired at `nowMs`. */
export function isExpired(ttl: number | undefined, nowMs: number): boolean {
  return ttl !== undefined && ttl * 1000 <= nowMs;
}

export const ttlAfter = (nowMs: number, seconds: number): number => Math.floor(nowMs / 1000) + seconds;
