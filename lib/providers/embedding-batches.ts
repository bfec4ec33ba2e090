// What every embedding adapter shares beyond the HTTP layer: a reply that
// cannot be read, and splitting a request's inputs into upstream calls.
import { malformedReply } from './upstream-http.ts';
import type { ProviderError } from './provider-error.ts';

export function malformedEmbeddingReply(provider: string, cause?: unknown): ProviderError {
  return malformedReply(provider, 'a malformed embeddings reply', cause);
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After one failure no further item starts: the whole call has failed.
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `items` in consecutive slices of at most `size`. */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let offset = 0; offset < items.length; offset += size) out.push(items.slice(offset, offset + size));
  return out;
}
