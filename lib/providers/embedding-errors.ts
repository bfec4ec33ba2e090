// Failures every embedding adapter shares: a reply that cannot be read, and
// a body cut off by an abort or a dropped connection.
import { GatewayError } from '../api/errors.ts';

export function malformedEmbeddingReply(provider: string, cause?: unknown): GatewayError {
  return new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider returned a malformed embeddings reply', retryable: true, provider, cause });
}

export function embeddingBodyFailure(provider: string, signal: AbortSignal, cause: unknown): GatewayError {
  if (signal.aborted) return new GatewayError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause });
  return new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Connection to the provider was lost mid-reply', retryable: true, provider, cause });
}

/** The reply body as JSON; a broken body or broken JSON is a retryable failure. */
export async function readEmbeddingJson(response: { text(): Promise<string> }, provider: string, signal: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw embeddingBodyFailure(provider, signal, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformedEmbeddingReply(provider, error);
  }
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
