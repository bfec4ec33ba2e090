import { describe, expect, it } from 'vitest';
import { createKeyCache } from '../../lib/keys/key-cache.ts';
import type { KeyRecord } from '../../lib/store/keys.ts';

const record = (hash: string): KeyRecord => ({
  hash,
  kind: 'inference',
  accountId: 'a',
  name: 'k',
  label: 'sk-sy-v1-abc...1234',
  disabled: false,
  limitMicros: null,
  limitReset: null,
  expiresAt: null,
  createdAt: '',
  updatedAt: '',
  requestsPerMinute: null,
});

function setup(known: Set<string>) {
  let now = 0;
  const loads: string[] = [];
  const cache = createKeyCache({
    load: async (hash) => {
      loads.push(hash);
      return known.has(hash) ? record(hash) : undefined;
    },
    now: () => now,
    ttlMs: 60_000,
    negativeTtlMs: 5_000,
    maxEntries: 2,
  });
  return { cache, loads, advance: (ms: number) => (now += ms) };
}

describe('key cache', () => {
  it('reads the store once per key per TTL', async () => {
    const { cache, loads, advance } = setup(new Set(['h1']));
    await Promise.all(Array.from({ length: 50 }, () => cache.get('h1')));
    expect(loads).toEqual(['h1']);
    advance(59_999);
    expect((await cache.get('h1'))?.hash).toBe('h1');
    expect(loads).toHaveLength(1);
    advance(1);
    await cache.get('h1');
    expect(loads).toHaveLength(2);
  });

  it('remembers an unknown key for less time, so a new key works quickly', async () => {
    const known = new Set<string>();
    const { cache, loads, advance } = setup(known);
    expect(await cache.get('h2')).toBeUndefined();
    known.add('h2');
    advance(4_999);
    expect(await cache.get('h2')).toBeUndefined();
    advance(1);
    expect((await cache.get('h2'))?.hash).toBe('h2');
    expect(loads).toEqual(['h2', 'h2']);
  });

  it('forgets an invalidated key and stays bounded', async () => {
    const { cache, loads } = setup(new Set(['a', 'b', 'c']));
    await cache.get('a');
    cache.invalidate('a');
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('a');
    expect(loads).toEqual(['a', 'a', 'b', 'c', 'a']);
  });
});
