// Key records cached per container so a warm request reads no database
// (DESIGN decision 4). A disabled or deleted key keeps working until its
// cache entry ages out: at most `ttlMs` (60 s by default).
import type { KeyRecord } from '../store/keys.ts';
import { hashApiKey } from './api-key.ts';

export interface KeyCacheOptions {
  load: (hash: string) => Promise<KeyRecord | undefined>;
  now: () => number;
  ttlMs: number;
  /** Unknown keys are remembered for less time, so a new key works quickly. */
  negativeTtlMs: number;
  maxEntries: number;
}

interface Entry {
  record: KeyRecord | undefined;
  expiresAt: number;
}

export interface KeyCache {
  get(hash: string): Promise<KeyRecord | undefined>;
  /** The record of a presented key: its SHA-256 is remembered, so a warm request hashes nothing. */
  lookup(token: string): Promise<KeyRecord | undefined>;
  /** Drop one key (after a management change made in this container). */
  invalidate(hash: string): void;
}

export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<KeyRecord | undefined>>();
  // Presented key → its hash. Only well-formed keys reach here; bounded like the records.
  const hashes = new Map<string, string>();
  const cache: KeyCache = {
    async lookup(token) {
      let hash = hashes.get(token);
      if (hash === undefined) {
        hash = await hashApiKey(token);
        if (hashes.size >= options.maxEntries) hashes.delete(hashes.keys().next().value as string);
        hashes.set(token, hash);
      }
      return cache.get(hash);
    },
    async get(hash) {
      const now = options.now();
      const entry = entries.get(hash);
      if (entry !== undefined && entry.expiresAt > now) return entry.record;
      const inFlight = loading.get(hash);
      if (inFlight !== undefined) return inFlight;
      const load = options
        .load(hash)
        .then((record) => {
          if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
          entries.set(hash, { record, expiresAt: options.now() + (record === undefined ? options.negativeTtlMs : options.ttlMs) });
          return record;
        })
        .finally(() => loading.delete(hash));
      loading.set(hash, load);
      return load;
    },
    invalidate(hash) {
      entries.delete(hash);
    },
  };
  return cache;
}
