// GET /api/v1/generation?id=gen-…: a generation in OpenRouter's shape
// (openrouter-api.md §7), to the account that made it.
import { invalidRequest, notFound } from '../api/errors.ts';
import { getGeneration } from '../store/generations.ts';
import { authenticate } from '../keys/authenticate.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { json, type GatewayRequest, type Reply } from '../api/reply.ts';
import { generationToWire, storedGeneration } from './generation-wire.ts';

export async function generationRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const key = await authenticate(request.headers, deps.keys, 'inference', deps.now());
  const id = url.searchParams.get('id');
  if (id === null || id === '') throw invalidRequest('Query parameter `id` is required');
  // Records are written in batches: this container's own pending ones go out first.
  await deps.generations.flush();
  const stored = await getGeneration(deps.table, id, deps.now());
  // Another account's generation is as absent as one that never existed.
  if (stored === undefined || stored.accountId !== key.accountId) throw notFound(`Generation ${id} not found`);
  const record = storedGeneration.parse(JSON.parse(stored.record));
  return json({ data: generationToWire(record) });
}
