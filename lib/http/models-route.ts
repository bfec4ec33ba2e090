// GET /api/v1/models: the models this deployment can serve, that is those
// with at least one endpoint whose provider needs no credential (the
// simulator, Bedrock on the function's role) or has its credential set;
// `?all=true` lists the whole catalog. A catalog of hundreds of models then
// shows a newcomer what works here, and the rest is one flag away.
import { invalidRequest } from '../api/errors.ts';
import { json, type Reply } from '../api/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { missingCredentials } from '../routing/credential-readiness.ts';
import { listModels } from './models.ts';

export type ModelsRoute = (url: URL, deps: GatewayDeps) => Promise<Reply>;

/**
 * The route with its own cache: the catalog does not change while the process
 * lives, so each listing is rendered once per set of missing credentials (a
 * credential set later, or a rotated secret, shows on the next request).
 */
export function createModelsRoute(): ModelsRoute {
  const rendered = new Map<string, Reply>();
  return async (url, deps) => {
    const all = url.searchParams.get('all');
    if (all !== null && all !== 'true' && all !== 'false') {
      throw invalidRequest('Query is invalid: `all` must be true (the whole catalog) or false (what this deployment can serve, the default)', { field: 'all' });
    }
    const missing = all === 'true' ? undefined : await missingCredentials(credentialNames(deps.catalog), deps.credentials);
    const cacheKey = missing === undefined ? 'all' : [...missing].sort().join('\n');
    let reply = rendered.get(cacheKey);
    if (reply === undefined) {
      reply = json(listModels(deps.catalog, missing === undefined ? undefined : (model) => model.endpoints.some((endpoint) => endpoint.provider.credential === undefined || !missing.has(endpoint.provider.credential))));
      rendered.set(cacheKey, reply);
    }
    return reply;
  };
}

function credentialNames(catalog: Catalog): Set<string> {
  const names = new Set<string>();
  for (const provider of catalog.providers.values()) if (provider.credential !== undefined) names.add(provider.credential);
  return names;
}
