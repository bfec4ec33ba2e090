// GET /api/v1/key (and the legacy /api/v1/auth/key): the calling key's
// limit, usage and rate limit, read fresh from the table (openrouter-api.md
// §6.1). Either kind of key may ask about itself.
import { unauthorized } from '../api/errors.ts';
import { keyInfoToWire } from '../keys/key-wire.ts';
import { getStoredKey } from '../store/keys.ts';
import { authenticate } from '../keys/authenticate.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { json } from '../api/reply.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';

export async function keyInfoRoute(request: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const caller = await authenticate(request.headers, deps.keys, 'any', now);
  const stored = await getStoredKey(deps.table, caller.hash);
  if (stored === undefined) {
    deps.keys.invalidate(caller.hash);
    throw unauthorized('Unknown API key');
  }
  return json({ data: keyInfoToWire(stored, now) });
}
