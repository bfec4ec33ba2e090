// Bearer key → key record (cached), 401 for a missing, malformed or unknown
// key, 403 for a disabled or expired one or one of the wrong kind.
// Management changes made in this container drop the key from its cache at
// once; other containers see them when their entry ages out (60 s).
import { forbidden, unauthorized } from '../api/errors.ts';
import { bearerToken, isWellFormedKey } from './api-key.ts';
import type { KeyCache } from './key-cache.ts';
import type { HeaderReader } from '../api/reply.ts';
import type { KeyKind, KeyRecord } from '../store/keys.ts';

/** `any`: routes either kind of key may call (`GET /key`, `GET /credits`). */
export async function authenticate(headers: HeaderReader, keys: KeyCache, kind: KeyKind | 'any', now: number): Promise<KeyRecord> {
  const token = bearerToken(headers);
  if (token === undefined) throw unauthorized('No auth credentials found: send `Authorization: Bearer <key>`');
  if (!isWellFormedKey(token)) throw unauthorized('Malformed API key: keys look like sk-sy-v1-<64 hex digits>');
  const record = await keys.lookup(token);
  if (record === undefined) throw unauthorized('Unknown API key');
  if (record.disabled) throw forbidden('This API key is disabled');
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now) throw forbidden('This API key has expired');
  if (kind !== 'any' && record.kind !== kind) {
    throw forbidden(
      kind === 'inference'
        ? 'Management keys cannot call inference endpoints; use an API key'
        : 'This endpoint needs a management key; API keys can call inference and GET /api/v1/key only',
    );
  }
  return record;
}
