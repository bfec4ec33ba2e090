// A model whose providers have no credential configured: the reply is a 503
// that names the credential to set (not a masked "Provider returned error"),
// GET /generation says the same, the endpoint is never tried (no attempt, no
// upstream request, no credit), an endpoint without a credential is left out
// of a model's plan rather than failed over from, and GET /models lists what
// this deployment can serve (`?all=true` the whole catalog).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { getAccount } from '../../lib/store/accounts.ts';
import { startTestGateway, testCatalog } from '../support/local-gateway.ts';

const KEYED_CREDENTIAL = 'SIM_KEYED_API_KEY';
const KEYED_VALUE = 'sk-keyed-credential-not-for-any-reply';
const sim = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 };
const params = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop'];
const endpoint = (provider: string, prompt: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt, completion: prompt },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: params,
});

function catalogWithKeyedProvider(): unknown {
  const base = testCatalog() as { providers: Record<string, unknown>; models: unknown[] };
  return {
    providers: { ...base.providers, 'sim-keyed': { name: 'Sim Keyed', kind: 'openai', simulator: sim, credential: KEYED_CREDENTIAL } },
    models: [
      ...base.models,
      { id: 'test/keyed', name: 'Test Keyed', created: 1767225600, endpoints: [endpoint('sim-keyed', '1')] },
      // The keyed endpoint is the cheaper one: the price-weighted draw would put it first nine times in ten.
      { id: 'test/keyed-or-b', name: 'Test Keyed or B', created: 1767225600, endpoints: [endpoint('sim-keyed', '1'), endpoint('sim-b', '3')] },
    ],
  };
}

interface GenerationData {
  status: number;
  error_code: string | null;
  error_message: string | null;
  provider_name: string | null;
  provider_responses: { provider_name: string; status: number }[];
}

async function generation(gateway: LocalGateway, id: string): Promise<GenerationData> {
  await gateway.idle();
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: GenerationData }).data;
}

async function modelIds(gateway: LocalGateway, query = ''): Promise<string[]> {
  const response = await fetch(`${gateway.baseUrl}/models${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id);
}

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello there' }];

describe('a deployment without the credential of a provider', () => {
  let gateway: LocalGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startTestGateway({ catalogDocument: catalogWithKeyedProvider(), env: {} });
    client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers a model that only that provider serves with a 503 naming the credential to set, without trying it or taking credit', async () => {
    const before = (await getAccount(gateway.table, gateway.keys.accountId))?.availableMicros;

    const error = await client.chat.completions.create({ model: 'test/keyed', messages }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.message).toContain(`set ${KEYED_CREDENTIAL}`);
    expect(apiError.message).toContain('Sim Keyed');
    expect(apiError.message).not.toContain('Provider returned error');
    expect(apiError.error).toMatchObject({ metadata: { error_type: 'provider_unavailable', missing_credentials: [KEYED_CREDENTIAL], requested_models: ['test/keyed'] } });
    expect(gateway.simulator.stats('sim-keyed').requests).toBe(0);
    await gateway.idle();
    expect((await getAccount(gateway.table, gateway.keys.accountId))?.availableMicros).toBe(before);

    // GET /generation says the same: the status, the message, and no attempt.
    const id = apiError.headers?.get('x-generation-id') ?? '';
    expect(id).toMatch(/^gen-/);
    const record = await generation(gateway, id);
    expect(record).toMatchObject({ status: 503, error_code: 'provider_unavailable', provider_name: null, provider_responses: [] });
    expect(record.error_message).toBe((apiError.error as { message: string }).message);
  });

  it('says the same in the Anthropic shape at /messages', async () => {
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: gateway.keys.apiKey, maxRetries: 0 });

    const error = await anthropic.messages.create({ model: 'test/keyed', max_tokens: 64, messages: [{ role: 'user', content: 'Hello there' }] }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect((error as Error).message).toContain(`set ${KEYED_CREDENTIAL}`);
  });

  it('leaves the endpoint without a credential out of the plan: the other provider serves at the first attempt, every time', async () => {
    for (let round = 0; round < 5; round += 1) {
      const completion = await client.chat.completions.create({ model: 'test/keyed-or-b', messages });

      expect((completion as unknown as { provider: string }).provider).toBe('Sim B');
      const record = await generation(gateway, completion.id);
      expect(record.provider_responses).toEqual([expect.objectContaining({ provider_name: 'Sim B', status: 200 })]);
    }
    expect(gateway.simulator.stats('sim-keyed').requests).toBe(0);
  });

  it('lists at GET /models only the models it can serve, and the whole catalog with ?all=true', async () => {
    const servable = await modelIds(gateway);
    expect(servable).toContain('test/one');
    expect(servable).toContain('test/keyed-or-b');
    expect(servable).not.toContain('test/keyed');

    const all = await modelIds(gateway, '?all=true');
    expect(all).toContain('test/keyed');
    expect(all.length).toBe(servable.length + 1);
    expect(await modelIds(gateway, '?all=false')).toEqual(servable);

    const bad = await fetch(`${gateway.baseUrl}/models?all=yes`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string; metadata: { field: string } } }).error).toMatchObject({ metadata: { field: 'all' } });
  });
});

describe('the same deployment with the credential set', () => {
  let gateway: LocalGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startTestGateway({ catalogDocument: catalogWithKeyedProvider(), env: { [KEYED_CREDENTIAL]: KEYED_VALUE } });
    client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('serves the model through that provider and lists it at GET /models', async () => {
    const completion = await client.chat.completions.create({ model: 'test/keyed', messages });

    expect((completion as unknown as { provider: string }).provider).toBe('Sim Keyed');
    expect(gateway.simulator.stats('sim-keyed').requests).toBe(1);
    expect(await modelIds(gateway)).toEqual(await modelIds(gateway, '?all=true'));
  });
});
