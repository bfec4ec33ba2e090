// GET /providers in OpenRouter's shape (read through OpenRouter's SDK, which
// validates it) with Switchyard's data policies, served without a key as the
// catalog routes are; GET /providers/health, management keys only.
import { OpenRouter } from '@openrouter/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway, testCatalog } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  const catalog = testCatalog() as { providers: Record<string, Record<string, unknown>> };
  catalog.providers['sim-b'] = { ...catalog.providers['sim-b'], dataPolicy: { training: true, retainsPrompts: true, zdr: false } };
  gateway = await startTestGateway({ catalogDocument: catalog });
});
afterAll(async () => {
  await gateway.close();
});

const get = async (path: string, key: string | null): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${gateway.url}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('GET /providers', () => {
  it('lists the catalog providers in the shape OpenRouter’s SDK reads', async () => {
    const { data } = await new OpenRouter({ apiKey: gateway.keys.apiKey, serverURL: gateway.baseUrl, retryConfig: { strategy: 'none' } }).providers.list();

    expect(data.map((provider) => [provider.slug, provider.name])).toEqual([
      ['sim-a', 'Sim A'],
      ['sim-anthropic', 'Sim Anthropic'],
      ['sim-b', 'Sim B'],
      ['sim-down', 'Sim Down'],
    ]);
    expect(data[0]?.privacyPolicyUrl).toBeNull();
  });

  it('says what each provider does with prompts, needs no key, and is served under /v1 too', async () => {
    const { status, body } = await get('/v1/providers', null);
    const simB = (body.data as Record<string, unknown>[]).find((provider) => provider.slug === 'sim-b');

    expect(status).toBe(200);
    expect(simB).toMatchObject({ kind: 'openai', data_policy: { training: true, retains_prompts: true, zdr: false }, simulated: true, endpoints: 1 });
  });
});

describe('GET /providers/health', () => {
  it('reports each endpoint: idle before traffic, then its recent attempts, latency and breaker', async () => {
    const before = await get('/api/v1/providers/health', gateway.keys.managementKey);
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
    await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(client.chat.completions.create({ model: 'test/down', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 502 });

    const after = await get('/api/v1/providers/health', gateway.keys.managementKey);
    type Row = { slug: string; state: string; endpoints: { id: string; state: string; breaker: string; recent: { attempts: number; failures: number; error_rate: number | null }; latency_ms: { p50: number } | null }[] };
    const provider = (body: Record<string, unknown>, slug: string): Row | undefined => (body.data as Row[]).find((row) => row.slug === slug);

    expect(provider(before.body, 'sim-a')?.state).toBe('idle');
    expect(provider(after.body, 'sim-a')?.endpoints.find((row) => row.id === 'test/one@sim-a')).toMatchObject({
      state: 'healthy',
      breaker: 'closed',
      recent: { attempts: 1, failures: 0, error_rate: 0 },
      latency_ms: { p50: expect.any(Number) },
    });
    expect(provider(after.body, 'sim-down')).toMatchObject({ state: 'degraded', endpoints: [{ recent: { attempts: 1, failures: 1, error_rate: 1 } }] });
  });

  it('needs a management key', async () => {
    expect((await get('/api/v1/providers/health', null)).status).toBe(401);
    expect((await get('/api/v1/providers/health', gateway.keys.apiKey)).status).toBe(403);
  });
});
