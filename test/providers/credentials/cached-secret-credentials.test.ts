import { describe, expect, it } from 'vitest';
import { cachedSecretCredentials } from '../../../lib/providers/credentials/cached-secret-credentials.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A secret source that counts its loads; each load answers the current map. */
function countingSource(initial: Record<string, string>) {
  const source = {
    loads: 0,
    map: initial,
    load: () => {
      source.loads++;
      return Promise.resolve({ ...source.map });
    },
  };
  return source;
}

const TTL_MS = 60_000;

describe('cached secret credentials', () => {
  it('loads the secret once for 200 concurrent gets', async () => {
    const source = countingSource({ OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'sk-ant-1' });
    const credentials = cachedSecretCredentials({ load: source.load, ttlMs: TTL_MS, now: () => 0 });

    const values = await Promise.all(
      Array.from({ length: 200 }, (_, index) => credentials.get(index % 2 === 0 ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY')),
    );

    expect(source.loads).toBe(1);
    expect(new Set(values)).toEqual(new Set(['sk-1', 'sk-ant-1']));
  });

  it('shares one slow load among all gets that arrive while it is in flight', async () => {
    const pending = deferred<Record<string, string>>();
    let loads = 0;
    const credentials = cachedSecretCredentials({
      load: () => {
        loads++;
        return pending.promise;
      },
      ttlMs: TTL_MS,
      now: () => 0,
    });

    const gets = Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY'));
    pending.resolve({ OPENAI_API_KEY: 'sk-slow' });

    expect(await Promise.all(gets)).toEqual(Array.from({ length: 200 }, () => 'sk-slow'));
    expect(loads).toBe(1);
  });

  it('serves from the cache for the ttl, and loads again once it has passed', async () => {
    let now = 1_000;
    const source = countingSource({ OPENAI_API_KEY: 'sk-1' });
    const credentials = cachedSecretCredentials({ load: source.load, ttlMs: TTL_MS, now: () => now });

    await credentials.get('OPENAI_API_KEY');
    source.map = { OPENAI_API_KEY: 'sk-2' };
    now += TTL_MS - 1;
    await Promise.all(Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY')));
    expect(source.loads).toBe(1);

    now += 1;
    const values = await Promise.all(Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY')));

    expect(source.loads).toBe(2);
    expect(new Set(values)).toEqual(new Set(['sk-2']));
  });

  it('loads again after refresh(), once for all concurrent gets', async () => {
    const source = countingSource({ OPENAI_API_KEY: 'sk-old' });
    const credentials = cachedSecretCredentials({ load: source.load, ttlMs: TTL_MS, now: () => 0 });
    await credentials.get('OPENAI_API_KEY');
    source.map = { OPENAI_API_KEY: 'sk-rotated' };

    credentials.refresh();
    const values = await Promise.all(Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY')));

    expect(source.loads).toBe(2);
    expect(new Set(values)).toEqual(new Set(['sk-rotated']));
  });

  it('does not cache a load that a refresh() overtook', async () => {
    const first = deferred<Record<string, string>>();
    const loads: Deferred<Record<string, string>>[] = [first];
    const credentials = cachedSecretCredentials({
      load: () => {
        const next = loads.shift() ?? deferred<Record<string, string>>();
        return next.promise;
      },
      ttlMs: TTL_MS,
      now: () => 0,
    });
    const second = deferred<Record<string, string>>();
    loads.push(second);

    const early = credentials.get('OPENAI_API_KEY');
    credentials.refresh();
    const late = credentials.get('OPENAI_API_KEY');
    second.resolve({ OPENAI_API_KEY: 'sk-new' });
    first.resolve({ OPENAI_API_KEY: 'sk-stale' });

    expect(await early).toBe('sk-stale');
    expect(await late).toBe('sk-new');
    expect(await credentials.get('OPENAI_API_KEY')).toBe('sk-new');
  });

  it('does not cache a failed load: the next get tries again', async () => {
    let loads = 0;
    const credentials = cachedSecretCredentials({
      load: () => {
        loads++;
        return loads === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve({ OPENAI_API_KEY: 'sk-1' });
      },
      ttlMs: TTL_MS,
      now: () => 0,
    });

    const failed = await Promise.allSettled(Array.from({ length: 50 }, () => credentials.get('OPENAI_API_KEY')));

    expect(failed.every((result) => result.status === 'rejected')).toBe(true);
    expect(loads).toBe(1);
    expect(await credentials.get('OPENAI_API_KEY')).toBe('sk-1');
    expect(loads).toBe(2);
  });

  it('has no credential for names the secret lacks or leaves empty', async () => {
    const credentials = cachedSecretCredentials({
      load: () => Promise.resolve({ OPENAI_API_KEY: '' }),
      ttlMs: TTL_MS,
      now: () => 0,
    });

    expect(await credentials.get('OPENAI_API_KEY')).toBeUndefined();
    expect(await credentials.get('GROQ_API_KEY')).toBeUndefined();
    expect(await credentials.get('__proto__')).toBeUndefined();
  });

  it('preload reads the secret ahead of the first get, which then shares it', async () => {
    const source = countingSource({ OPENAI_API_KEY: 'sk-1' });
    const credentials = cachedSecretCredentials({ load: source.load, ttlMs: TTL_MS, now: () => 0 });

    const preloaded = credentials.preload();
    const value = await credentials.get('OPENAI_API_KEY');
    await preloaded;

    expect(source.loads).toBe(1);
    expect(value).toBe('sk-1');
  });

  it('preload never rejects, and a failed preload leaves the first get to read again', async () => {
    let loads = 0;
    const credentials = cachedSecretCredentials({
      load: () => {
        loads++;
        return loads === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve({ OPENAI_API_KEY: 'sk-2' });
      },
      ttlMs: TTL_MS,
      now: () => 0,
    });

    await expect(credentials.preload()).resolves.toBeUndefined();
    const value = await credentials.get('OPENAI_API_KEY');

    expect(loads).toBe(2);
    expect(value).toBe('sk-2');
  });
});
