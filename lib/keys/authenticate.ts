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
  if (token === undefined) throw unauthorized(missingKeyMessage(headers.get('authorization')));
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

/** Why no key was read: none sent, or an `Authorization` header that does not carry one. */
function missingKeyMessage(authorization: string | null): string {
  const value = authorization?.trim() ?? '';
  if (value === '') return 'No auth credentials found: send `Authorization: Bearer <key>`';
  const scheme = /^(\S+)(\s+\S)?/.exec(value);
  if (scheme?.[1]?.toLowerCase() === 'bearer') return 'The Authorization header is not `Bearer <key>`: send one key after `Bearer`';
  if (scheme?.[2] === undefined) return 'The Authorization header is not a bearer key: put `Bearer ` before the key (`Authorization: Bearer <key>`)';
  // The scheme, never the credentials after it: they may be a secret.
  return `The Authorization header uses the ${JSON.stringify(scheme[1]?.slice(0, 32))} scheme, not a bearer key: send \`Authorization: Bearer <key>\``;
}
