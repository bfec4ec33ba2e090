import { describe, expect, it } from 'vitest';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { environmentCredentials } from '../../lib/providers/credentials/index.ts';
import type { Credentials } from '../../lib/providers/types.ts';
import { credentialReadiness } from '../../lib/routing/credential-readiness.ts';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { planInput, request, routingCatalogDocument } from './support/routing-fixtures.ts';

// The routing catalog with credentials: Alpha and Beta need one, Gamma and DeepInfra none.
const catalog = createCatalog({
  ...routingCatalogDocument,
  providers: {
    ...routingCatalogDocument.providers,
    alpha: { ...routingCatalogDocument.providers.alpha, credential: 'ALPHA_API_KEY' },
    beta: { ...routingCatalogDocument.providers.beta, credential: 'BETA_API_KEY' },
  },
});

/** Credentials that remember which names were asked for. */
function recordingCredentials(values: Record<string, string>): Credentials & { asked: string[] } {
  const inner = environmentCredentials(values);
  const asked: string[] = [];
  return { asked, get: (name) => (asked.push(name), inner.get(name)), refresh: () => undefined };
}

async function plan(fields: Record<string, unknown>, credentials: Credentials) {
  const chat = request(fields);
  return attemptPlan(planInput({ request: chat, catalog, credentialReady: await credentialReadiness(chat, catalog, credentials) }));
}

describe('attemptPlan: endpoints without a credential', () => {
  it('leaves them out, excluded by `credential`, instead of trying them', async () => {
    const result = await plan({ model: 'test/chat' }, environmentCredentials({ BETA_API_KEY: 'b' }));

    expect(result.attempts.map((endpoint) => endpoint.id)).toEqual(['test/chat@beta', 'test/chat@gamma']);
    expect(result.excluded).toEqual([{ endpoint: 'test/chat@alpha', provider: 'Alpha AI', model: 'test/chat', excludedBy: 'credential' }]);
  });

  it('keeps the first ready endpoint when fallbacks are off', async () => {
    const result = await plan({ model: 'test/chat', provider: { allow_fallbacks: false, sort: 'price' } }, environmentCredentials({}));

    expect(result.attempts.map((endpoint) => endpoint.id)).toEqual(['test/chat@gamma']);
  });

  it('answers 503 naming every missing credential when no endpoint that could serve has one', async () => {
    const error = await plan({ model: 'test/chat', provider: { only: ['alpha', 'beta'] } }, environmentCredentials({})).catch((caught: unknown) => caught);

    const { status, message, metadata } = error as { status: number; message: string; metadata: Record<string, unknown> };
    expect(status).toBe(503);
    expect(message).toContain('set ALPHA_API_KEY or BETA_API_KEY');
    expect(message).toContain('Alpha AI (ALPHA_API_KEY), Beta Cloud (BETA_API_KEY)');
    expect(metadata).toMatchObject({ requested_models: ['test/chat'], missing_credentials: ['ALPHA_API_KEY', 'BETA_API_KEY'] });
  });

  it('is still a 404 when the other filters already left nothing', async () => {
    const error = await plan({ model: 'test/chat', provider: { only: ['deepinfra'] } }, environmentCredentials({})).catch((caught: unknown) => caught);

    expect((error as { status: number }).status).toBe(404);
  });

  it('looks up only the credentials of the requested models: a model that needs none never reads the store', async () => {
    const credentials = recordingCredentials({});

    await plan({ model: 'test/plain' }, credentials);
    expect(credentials.asked).toEqual([]);

    await plan({ model: 'test/other' }, credentials);
    expect(credentials.asked).toEqual(['ALPHA_API_KEY']);
  });

  it('counts a credential store that cannot be read as ready: the attempt reports that failure', async () => {
    const unreadable: Credentials = { get: () => Promise.reject(new Error('secret unreadable')), refresh: () => undefined };

    const result = await plan({ model: 'test/chat', provider: { sort: 'price' } }, unreadable);

    expect(result.attempts.map((endpoint) => endpoint.id)).toEqual(['test/chat@alpha', 'test/chat@beta', 'test/chat@gamma']);
  });
});
