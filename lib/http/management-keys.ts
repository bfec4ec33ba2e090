// The key-management API, OpenRouter's shape (openrouter-api.md §1.3, §6.1):
// POST/GET /api/v1/keys, GET/PATCH/DELETE /api/v1/keys/{hash}. Management
// keys only, and only the inference keys of their own account; management
// keys themselves are not managed here (as on OpenRouter). A change drops
// the key from this container's cache at once; other containers see it
// within the key cache TTL (60 s by default).
import { invalidRequest, notFound } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import { usdToMicros } from '../billing/cost.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../keys/api-key.ts';
import { keyToWire } from '../keys/key-wire.ts';
import { createKeyBody, keyPatchFrom, listKeysQuery, patchKeyBody } from '../keys/management-requests.ts';
import { deleteKey, getStoredKey, listStoredKeys, putKey, updateKey, type KeyRecord, type StoredKey } from '../store/keys.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { keyHashParam, managementKey, queryObject, readManagementBody } from './management-request.ts';
import { json } from '../api/reply.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';

const PAGE_SIZE = 100;

export async function createKeyRoute(request: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const body = parseOrThrow(createKeyBody, await readManagementBody(request));
  const now = deps.now();
  if (body.expires_at != null && Date.parse(body.expires_at) <= now) {
    throw invalidRequest('Request is invalid: `expires_at` must be in the future', { field: 'expires_at' });
  }
  const secret = generateApiKey();
  const created = new Date(now).toISOString();
  const record: KeyRecord = {
    hash: await hashApiKey(secret),
    kind: 'inference',
    accountId: caller.accountId,
    name: body.name,
    label: keyLabel(secret),
    disabled: false,
    limitMicros: body.limit == null ? null : usdToMicros(body.limit),
    limitReset: body.limit_reset ?? null,
    expiresAt: body.expires_at == null ? null : new Date(body.expires_at).toISOString(),
    createdAt: created,
    updatedAt: created,
    requestsPerMinute: body.requests_per_minute ?? null,
    includeByokInLimit: body.include_byok_in_limit ?? false,
  };
  await putKey(deps.table, record);
  // The only time the key itself is shown.
  return json({ data: keyToWire({ record, spend: { counters: new Map(), holds: [] } }, now), key: secret }, 201);
}

export async function listKeysRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const query = parseOrThrow(listKeysQuery, queryObject(url), 'Query');
  const offset = query.offset ?? 0;
  const keys = (await listStoredKeys(deps.table, caller.accountId)).filter(
    ({ record }) => record.kind === 'inference' && (query.include_disabled === 'true' || !record.disabled),
  );
  const now = deps.now();
  return json({ data: keys.slice(offset, offset + PAGE_SIZE).map((stored) => keyToWire(stored, now)) });
}

export async function getKeyRoute(request: GatewayRequest, hash: string, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const stored = await ownKey(deps, caller, keyHashParam(hash));
  return json({ data: keyToWire(stored, deps.now()) });
}

export async function patchKeyRoute(request: GatewayRequest, hash: string, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const keyHash = keyHashParam(hash);
  const body = parseOrThrow(patchKeyBody, await readManagementBody(request));
  await ownKey(deps, caller, keyHash);
  const now = deps.now();
  const updated = await updateKey(deps.table, keyHash, keyPatchFrom(body), new Date(now).toISOString());
  deps.keys.invalidate(keyHash);
  if (updated === undefined) throw notFound(`No key with hash ${keyHash}`);
  return json({ data: keyToWire(await ownKey(deps, caller, keyHash), now) });
}

export async function deleteKeyRoute(request: GatewayRequest, hash: string, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const keyHash = keyHashParam(hash);
  await ownKey(deps, caller, keyHash);
  const deleted = await deleteKey(deps.table, keyHash);
  deps.keys.invalidate(keyHash);
  if (!deleted) throw notFound(`No key with hash ${keyHash}`);
  return json({ deleted: true });
}

/** Another account's key, or a management key, is as absent as one that never existed. */
async function ownKey(deps: GatewayDeps, caller: KeyRecord, hash: string): Promise<StoredKey> {
  const stored = await getStoredKey(deps.table, hash);
  if (stored === undefined || stored.record.accountId !== caller.accountId || stored.record.kind !== 'inference') {
    throw notFound(`No key with hash ${hash}`);
  }
  return stored;
}
