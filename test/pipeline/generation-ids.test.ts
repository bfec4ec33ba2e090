import { describe, expect, it } from 'vitest';
import { createGenerationIds } from '../../lib/pipeline/deps.ts';

describe('generation ids', () => {
  it('look like OpenRouter’s and do not repeat, across many blocks of random bytes', () => {
    const next = createGenerationIds();
    const ids = Array.from({ length: 1_000 }, () => next(Date.UTC(2026, 10, 22, 1, 2, 3)));

    for (const id of ids) expect(id).toMatch(/^gen-1795309323-[A-Za-z0-9]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
