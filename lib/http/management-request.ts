// What every management route does first: a management key of the caller's
// account, a JSON body validated strictly, a well-formed key hash.
import { invalidRequest, notFound } from '../api/errors.ts';
import type { KeyRecord } from '../store/keys.ts';
import { authenticate } from '../keys/authenticate.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { parseJsonBytes } from '../pipeline/decode.ts';
import type { GatewayRequest } from '../api/reply.ts';

const MAX_MANAGEMENT_BODY_BYTES = 64 * 1024;

export function managementKey(request: GatewayRequest, deps: GatewayDeps): Promise<KeyRecord> {
  return authenticate(request.headers, deps.keys, 'management', deps.now());
}

/** The body as JSON; 400 when it is not JSON or too large for a management call. */
export async function readManagementBody(request: GatewayRequest): Promise<unknown> {
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_MANAGEMENT_BODY_BYTES) throw invalidRequest(`Request body is larger than ${MAX_MANAGEMENT_BODY_BYTES} bytes`);
  if (bytes.byteLength === 0) return {};
  return parseJsonBytes(bytes);
}

/** A key's id in `/keys/{hash}`: its SHA-256, 64 lowercase hex digits. */
export function keyHashParam(hash: string): string {
  const decoded = hash.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(decoded)) throw notFound(`No key with hash ${hash.slice(0, 80)}: a key hash is 64 hex digits`);
  return decoded;
}

/** Query parameters as a plain object, for a strict schema. */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}
