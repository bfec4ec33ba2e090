// GET /api/v1/generations: Switchyard's list of an account's recent
// generations, newest first (OpenRouter has one generation by id only). A
// management key; `limit` (at most 100), `from`/`to` (ISO 8601; the last 30
// days by default, as long as records live), `q` (text the id, models,
// provider, key prefix or status contain) and the `cursor` of the previous
// page. A call reads at most 1,000 items, so a rare search answers a short
// page with a cursor rather than reading a month.
import { z } from 'zod';
import { invalidRequest } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { json } from '../api/reply.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { listGenerations, type GenerationCursor } from '../store/generation-listing.ts';
import { generationListEntry, storedGeneration } from './generation-wire.ts';
import { managementKey } from './management-request.ts';
import { knownParamsOnly } from './query-params.ts';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z' });

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  q: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  cursor: z.string().max(400).optional(),
});

const cursorShape = z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), after: z.string().max(300).optional() });

/** Opaque to callers: base64url of where the page stopped (a time and an id, nothing secret). */
function encodeCursor(cursor: GenerationCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function decodeCursor(text: string): GenerationCursor {
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    const parsed = cursorShape.safeParse(JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))));
    if (parsed.success) return parsed.data;
  } catch {
    // Reported below, as any other malformed cursor.
  }
  throw invalidRequest('Query is invalid: `cursor` is not one this API handed out', { field: 'cursor' });
}

export async function generationsListRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const query = parseOrThrow(listQuery, knownParamsOnly(url, Object.keys(listQuery.shape)), 'Query');
  const now = deps.now();
  const toMs = query.to === undefined ? now + 1 : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - DEFAULT_DAYS * DAY_MS : Date.parse(query.from);
  if (fromMs >= toMs) throw invalidRequest('Query is invalid: `from` must be before `to`', { field: 'from' });
  await deps.generations.flush();
  const page = await listGenerations(
    deps.table,
    {
      accountId: caller.accountId,
      fromMs,
      toMs,
      limit: query.limit ?? 50,
      search: query.q,
      cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    },
    now,
  );
  const data = page.records.flatMap((text) => {
    const parsed = storedGeneration.safeParse(JSON.parse(text));
    return parsed.success ? [generationListEntry(parsed.data)] : [];
  });
  return json({ data, next_cursor: page.next === undefined ? null : encodeCursor(page.next) });
}
