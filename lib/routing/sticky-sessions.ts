// Sticky routing keeps a conversation on the endpoint that holds its prompt
// cache (openrouter-api.md §3.4): keyed by session and model, forgotten after
// ten idle minutes, bounded per container (least recently set go first).
import type { ChatRequest } from '../api/chat-request.ts';
import { defaultRoutingPolicy } from './routing-policy.ts';
import type { StickySessions } from './types.ts';

interface Entry {
  endpointId: string;
  touchedAt: number;
}

export function createStickySessions(options: { idleMs?: number; maxEntries?: number } = {}): StickySessions {
  const idleMs = options.idleMs ?? defaultRoutingPolicy.stickyIdleMs;
  const maxEntries = options.maxEntries ?? defaultRoutingPolicy.stickyMaxEntries;
  // A Map iterates in insertion order; re-inserting on set makes it an LRU.
  const entries = new Map<string, Entry>();
  const entryKey = (key: string, modelId: string): string => JSON.stringify([key, modelId]);
  return {
    get(key, modelId, now) {
      const id = entryKey(key, modelId);
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      if (now - entry.touchedAt >= idleMs) {
        entries.delete(id);
        return undefined;
      }
      return entry.endpointId;
    },
    set(key, modelId, endpointId, now) {
      const id = entryKey(key, modelId);
      entries.delete(id);
      entries.set(id, { endpointId, touchedAt: now });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    forget(key, modelId) {
      entries.delete(entryKey(key, modelId));
    },
  };
}

const MAX_SESSION_KEY_LENGTH = 256;

/**
 * The conversation key: body `session_id`, then the `x-session-id` header,
 * then `prompt_cache_key` (§3.4). Callers scope it by account before using
 * it, so two accounts' "session-1" never share an entry.
 */
export function sessionKeyFor(request: ChatRequest, headers: Pick<Headers, 'get'>): string | undefined {
  const candidates = [request.session_id, headers.get('x-session-id'), request.prompt_cache_key];
  for (const candidate of candidates) {
    const key = candidate?.trim();
    if (key !== undefined && key !== '' && key.length <= MAX_SESSION_KEY_LENGTH) return key;
  }
  return undefined;
}
