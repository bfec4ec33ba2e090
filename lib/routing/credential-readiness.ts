// Endpoints whose provider has no credential are not attempts: the plan
// leaves them out (excluded by `credential`), and when that leaves nothing
// the caller gets a 503 naming what to set, rather than a masked provider
// error after a failed "attempt". Only the providers of the requested models
// are looked up, through the same credentials cache the attempts read (on
// AWS one secret, loaded once per TTL; locally the environment), so a model
// that needs no credential (the simulator, Bedrock on the function's role)
// never waits for the secret.
import type { ChatRequest } from '../api/chat-request.ts';
import { GatewayError } from '../api/errors.ts';
import type { Catalog, Endpoint, Provider } from '../catalog/catalog.ts';
import type { Credentials } from '../providers/types.ts';
import type { Exclusion } from './endpoint-filters.ts';
import { requestedModels } from './model-resolution.ts';

/** Whether a provider can be called: it needs no credential, or its credential is set. */
export type CredentialReadiness = (provider: Provider) => boolean;

/**
 * The readiness of the requested models' providers. A credential store that
 * cannot be read counts as ready: the attempt then reports that failure
 * (503 "could not be read") as it always has, and a later read may succeed.
 */
export async function credentialReadiness(request: ChatRequest, catalog: Catalog, credentials: Credentials): Promise<CredentialReadiness> {
  const names = new Set<string>();
  for (const { model } of requestedModels(request, catalog)) {
    for (const endpoint of model.endpoints) if (endpoint.provider.credential !== undefined) names.add(endpoint.provider.credential);
  }
  const missing = await missingCredentials(names, credentials);
  return (provider) => provider.credential === undefined || !missing.has(provider.credential);
}

/** The names among `names` whose credential is not set. */
export async function missingCredentials(names: Iterable<string>, credentials: Credentials): Promise<ReadonlySet<string>> {
  const missing = new Set<string>();
  await Promise.all(
    [...names].map(async (name) => {
      const value = await credentials.get(name).catch(() => 'unreadable');
      if (value === undefined) missing.add(name);
    }),
  );
  return missing;
}

/** Splits endpoints that passed every other filter into those whose provider is ready and those without a credential. */
export function splitByCredential(endpoints: readonly Endpoint[], ready: CredentialReadiness | undefined): { ready: Endpoint[]; unready: Endpoint[] } {
  if (ready === undefined) return { ready: [...endpoints], unready: [] };
  return { ready: endpoints.filter((endpoint) => ready(endpoint.provider)), unready: endpoints.filter((endpoint) => !ready(endpoint.provider)) };
}

export function missingCredentialExclusion(endpoint: Endpoint): Exclusion {
  return { excludedBy: 'credential', message: `No credential configured for ${endpoint.provider.name} (${endpoint.provider.credential ?? ''})` };
}

/**
 * The reply when every endpoint that could have served the request lacks its
 * credential: a 503 (the deployment is not set up for it, the caller did
 * nothing wrong) naming each missing credential and where it is set. Names
 * only, never values.
 */
export function noCredentialError(models: readonly string[], endpoints: readonly Endpoint[]): GatewayError {
  const providers = [...new Map(endpoints.map((endpoint) => [endpoint.provider.id, endpoint.provider])).values()];
  const names = [...new Set(providers.map((provider) => provider.credential ?? ''))];
  const listed = providers.map((provider) => `${provider.name} (${provider.credential ?? ''})`).join(', ');
  return new GatewayError({
    status: 503,
    type: 'provider_unavailable',
    message:
      `No endpoint that could serve ${models.join(', ')} has a credential configured here: set ${names.join(' or ')} ` +
      `(an environment variable in local mode, a key of the provider secret on AWS). Providers without one: ${listed}`,
    metadata: {
      requested_models: models,
      missing_credentials: names,
      providers: providers.map((provider) => ({ provider: provider.id, provider_name: provider.name, credential: provider.credential })),
    },
  });
}
