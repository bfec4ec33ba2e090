// On AWS (DESIGN decision 11), every provider credential lives in one secret
// holding a JSON map, read through this cache: one load at a time however
// many requests ask, kept for `ttlMs`, and forgotten on `refresh()` (what the
// gateway calls after an upstream 401, so a rotated key is picked up at once).
import type { Credentials } from '../types.ts';

export interface CachedSecretCredentialsOptions {
  /** Reads the secret. Its errors must not carry the secret's value. */
  load: () => Promise<Record<string, string>>;
  ttlMs: number;
  now?: () => number;
}

type CacheState =
  | { state: 'empty' }
  | { state: 'loading'; promise: Promise<Readonly<Record<string, string>>> }
  | { state: 'loaded'; values: Readonly<Record<string, string>>; loadedAt: number };

export interface PreloadableCredentials extends Credentials {
  /**
   * Read the secret now, ahead of the first `get`: a cold start overlaps the
   * read with its other work. Never rejects; a failed read is not cached, so
   * the first `get` reads again.
   */
  preload(): Promise<void>;
}

export function cachedSecretCredentials(options: CachedSecretCredentialsOptions): PreloadableCredentials {
  const now = options.now ?? Date.now;
  let cache: CacheState = { state: 'empty' };

  const startLoad = (): Promise<Readonly<Record<string, string>>> => {
    // A load that throws synchronously still goes through the promise, and is not cached.
    const promise = new Promise<Record<string, string>>((resolve) => resolve(options.load())).then(
      (values) => {
        // A refresh() while this load was in flight made it stale: keep it out of the cache.
        if (cache.state === 'loading' && cache.promise === promise) cache = { state: 'loaded', values, loadedAt: now() };
        return values;
      },
      (error: unknown) => {
        // A failed load is not cached: the next get tries again.
        if (cache.state === 'loading' && cache.promise === promise) cache = { state: 'empty' };
        throw error;
      },
    );
    cache = { state: 'loading', promise };
    return promise;
  };

  const values = (): Promise<Readonly<Record<string, string>>> => {
    switch (cache.state) {
      case 'loaded':
        return now() - cache.loadedAt < options.ttlMs ? Promise.resolve(cache.values) : startLoad();
      case 'loading':
        return cache.promise;
      case 'empty':
        return startLoad();
    }
  };

  return {
    async get(name) {
      const map = await values();
      const value = Object.hasOwn(map, name) ? map[name] : undefined;
      return value === undefined || value === '' ? undefined : value;
    },
    refresh() {
      cache = { state: 'empty' };
    },
    async preload() {
      await values().catch(() => undefined);
    },
  };
}
