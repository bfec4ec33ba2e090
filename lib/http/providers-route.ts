// GET /api/v1/providers: the catalog's providers in OpenRouter's shape
// (openrouter-api.md §1.2: `name`, `slug`, `privacy_policy_url`, optional
// `terms_of_service_url`, `status_page_url`), with Switchyard's
// `data_policy` (what `provider.data_collection`/`zdr` route on) and wire
// `kind`. A catalog route: no key needed, as for /models. The catalog holds
// no policy links, so those are null ("unknown").
import type { Catalog } from '../catalog/catalog.ts';

export function listProviders(catalog: Catalog): Record<string, unknown> {
  return {
    data: [...catalog.providers.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((provider) => ({
        name: provider.name,
        slug: provider.id,
        privacy_policy_url: null,
        terms_of_service_url: null,
        status_page_url: null,
        // Switchyard's additions.
        kind: provider.kind,
        data_policy: {
          training: provider.dataPolicy.training,
          retains_prompts: provider.dataPolicy.retainsPrompts,
          zdr: provider.dataPolicy.zdr,
        },
        simulated: provider.simulator !== undefined,
        endpoints: catalog.endpoints.filter((endpoint) => endpoint.provider.id === provider.id).length,
      })),
  };
}
