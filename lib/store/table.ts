// One DynamoDB table holds every item type, told apart by `pk` prefixes.
// The TTL attribute is `ttl` (epoch seconds); DynamoDB deletes lazily, so
// every read checks it too (reliability.md §1.4).

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** The attribute DynamoDB's TTL is configured on; infra/ must name the same one. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The one secondary index: a sparse, keys-only GSI that lists what must be
 * found without its key — every account (`ACCOUNTS`), and each account's API
 * keys (`KEYS#<account>`). Only account and key items carry its attributes,
 * so generation, health and rollup items never enter it, and a listing reads
 * what it lists and nothing else. Keys-only, so the writes that change a
 * balance or a key's spend (every request) never write the index: only
 * creating or deleting an account or a key does. infra/ must name the same.
 */
export const LISTING_INDEX = {
  name: 'listing',
  partitionKey: 'listing',
  sortKey: 'listingOrder',
} as const;

/** Whether an item whose TTL attribute is `ttl` has expired at `nowMs`. */
export function isExpired(ttl: number | undefined, nowMs: number): boolean {
  return ttl !== undefined && ttl * 1000 <= nowMs;
}

export const ttlAfter = (nowMs: number, seconds: number): number => Math.floor(nowMs / 1000) + seconds;
