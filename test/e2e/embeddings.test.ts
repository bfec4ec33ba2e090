// POST /embeddings end to end with the official openai client: a string, an
// array, base64 decoded and compared, dimensions; fallback before any reply;
// the balance moving by exactly the record's cost; chat and embedding models
// kept to their own routes; bad input refused before any credit or upstream.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { countPromptTokens } from '../../lib/providers/simulator/index.ts';
import { simulatedVector } from '../../lib/providers/simulator/embeddings.ts';
import { balance, startTestGateway, testCatalog, usageRecords } from '../support/local-gateway.ts';

const sim = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 };
const embedEndpoint = (provider: string, prompt: string, embedding: Record<string, unknown> = { dimensions: 256, dimensionsParameter: 'any' }) => ({
  provider,
  upstreamModel: `${provider}-embed`,
  pricing: { prompt, completion: '0' },
  contextLength: 8192,
  maxCompletionTokens: 1,
  supportedParameters: [],
  embedding,
});

function embeddingsCatalog(): unknown {
  const base = testCatalog() as { providers: Record<string, unknown>; models: unknown[] };
  return {
    providers: {
      ...base.providers,
      'sim-embed': { name: 'Sim Embed', kind: 'openai', simulator: sim },
      'sim-embed-gemini': { name: 'Sim Embed Gemini', kind: 'gemini', simulator: sim },
      'sim-embed-down': { name: 'Sim Embed Down', kind: 'openai', simulator: { ...sim, failure: { mode: 'status', status: 503 } } },
    },
    models: [
      ...base.models,
      // 3 µ$ per input token: a cost is 3 × prompt tokens µ$.
      { id: 'test/embed', name: 'Test Embed', created: 1767225600, endpoints: [embedEndpoint('sim-embed', '3')] },
      { id: 'test/embed-gemini', name: 'Test Embed (Gemini wire)', created: 1767225600, endpoints: [embedEndpoint('sim-embed-gemini', '3')] },
      {
        id: 'test/embed-fallback',
        name: 'Test Embed Fallback',
        created: 1767225600,
        endpoints: [embedEndpoint('sim-embed-down', '1'), embedEndpoint('sim-embed-gemini', '5')],
      },
      { id: 'test/embed-fixed', name: 'Test Embed Fixed', created: 1767225600, endpoints: [embedEndpoint('sim-embed', '1', { dimensions: 256 })] },
    ],
  };
}

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: embeddingsCatalog() });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const decodeFloat32 = (text: string): number[] => {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
};
const length = (vector: readonly number[]): number => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

describe('POST /embeddings with the openai client', () => {
  it('embeds a string: one unit vector, the model and provider that served it, usage with cost, one usage record', async () => {
    const before = await balance(gateway);
    const { data: reply, response } = await client.embeddings.create({ model: 'test/embed', input: 'The quick brown fox', encoding_format: 'float' }).withResponse();

    expect(reply.object).toBe('list');
    expect(reply.model).toBe('test/embed');
    expect((reply as unknown as { provider: string }).provider).toBe('Sim Embed');
    const id = (reply as unknown as { id: string }).id;
    expect(id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    expect(response.headers.get('x-generation-id')).toBe(id);
    expect(reply.data).toHaveLength(1);
    expect(reply.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(reply.data[0]?.embedding).toEqual(simulatedVector('The quick brown fox', 256));
    expect(length(reply.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
    const promptTokens = countPromptTokens(['The quick brown fox']);
    const usage = reply.usage as typeof reply.usage & { cost: number };
    expect(usage).toMatchObject({ prompt_tokens: promptTokens, total_tokens: promptTokens });
    expect(usage.cost).toBeCloseTo((promptTokens * 3) / 1_000_000, 12);

    const record = (await usageRecords(gateway)).find((entry) => entry.id === id);
    expect(record).toMatchObject({ status: 200, model: 'test/embed', provider: 'Sim Embed', prompt_tokens: promptTokens, completion_tokens: 0, cost_micros: promptTokens * 3 });
    expect(before - (await balance(gateway))).toBe(record?.cost_micros);
  });

  it('embeds an array in order, each vector its own input’s', async () => {
    const inputs = ['first input', 'a second, longer input', 'third'];
    const reply = await client.embeddings.create({ model: 'test/embed', input: inputs, encoding_format: 'float' });
    expect(reply.data.map((entry) => entry.index)).toEqual([0, 1, 2]);
    expect(reply.data.map((entry) => entry.embedding)).toEqual(inputs.map((input) => simulatedVector(input, 256)));
    expect(reply.usage.prompt_tokens).toBe(countPromptTokens(inputs));
  });

  it('sends base64 as little-endian float32 when asked, the same values as the float reply', async () => {
    const input = ['base64 please', 'and this one'];
    const floats = await client.embeddings.create({ model: 'test/embed', input, encoding_format: 'float' });
    const encoded = await client.embeddings.create({ model: 'test/embed', input, encoding_format: 'base64' });
    for (const [index, entry] of encoded.data.entries()) {
      expect(typeof entry.embedding).toBe('string');
      expect(decodeFloat32(entry.embedding as unknown as string)).toEqual(floats.data[index]?.embedding);
    }
    // Without encoding_format the client asks for base64 and decodes it itself.
    const defaulted = await client.embeddings.create({ model: 'test/embed', input });
    expect(defaulted.data.map((entry) => Array.from(entry.embedding))).toEqual(floats.data.map((entry) => entry.embedding));
  });

  it('passes dimensions to the upstream (OpenAI and Gemini wires alike)', async () => {
    for (const model of ['test/embed', 'test/embed-gemini']) {
      const reply = await client.embeddings.create({ model, input: 'shorter please', dimensions: 64, encoding_format: 'float' });
      expect(reply.data[0]?.embedding).toEqual(simulatedVector('shorter please', 64));
    }
  });

  it('answers under /v1 too, and from the Gemini wire with estimated tokens', async () => {
    const v1 = new OpenAI({ baseURL: gateway.baseUrl.replace('/api/v1', '/v1'), apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const reply = await v1.embeddings.create({ model: 'test/embed-gemini', input: 'twelve chars', encoding_format: 'float' });
    expect((reply as unknown as { provider: string }).provider).toBe('Sim Embed Gemini');
    expect(reply.data[0]?.embedding).toEqual(simulatedVector('twelve chars', 256));
    expect(reply.usage.prompt_tokens).toBe(3);
  });

  it('falls over to the next endpoint before replying, and records both attempts; the balance moves by exactly the cost', async () => {
    const before = await balance(gateway);
    const downBefore = gateway.simulator.stats('sim-embed-down').requests;
    const reply = await client.embeddings.create({
      model: 'test/embed-fallback',
      input: 'fall over',
      encoding_format: 'float',
      provider: { sort: 'price' },
    } as OpenAI.EmbeddingCreateParams);

    expect((reply as unknown as { provider: string }).provider).toBe('Sim Embed Gemini');
    expect(gateway.simulator.stats('sim-embed-down').requests).toBe(downBefore + 1);
    const id = (reply as unknown as { id: string }).id;
    const record = (await usageRecords(gateway)).find((entry) => entry.id === id);
    expect(record?.fallback).toBe(true);
    expect(record?.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['Sim Embed Down', 503],
      ['Sim Embed Gemini', 200],
    ]);
    const promptTokens = countPromptTokens(['fall over']);
    expect(record?.cost_micros).toBe(promptTokens * 5);
    expect(before - (await balance(gateway))).toBe(promptTokens * 5);

    const generation = (await (await fetch(`${gateway.baseUrl}/generation?id=${id}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } })).json()) as {
      data: { provider_responses: unknown[] };
    };
    expect(generation.data.provider_responses).toHaveLength(2);
  });
});

describe('models kept to their routes', () => {
  const post = async (route: string, body: unknown) => {
    const response = await fetch(`${gateway.baseUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error: { message: string } } };
  };

  it('refuses a chat model at /embeddings with a 404 naming the model', async () => {
    const { status, body } = await post('/embeddings', { model: 'test/one', input: 'hi' });
    expect(status).toBe(404);
    expect(body.error.message).toMatch(/test\/one does not produce embeddings/);
  });

  it('refuses an embedding model at /chat/completions and /completions with a 404 naming the model', async () => {
    for (const [route, body] of [
      ['/chat/completions', { model: 'test/embed', messages: [{ role: 'user', content: 'hi' }] }],
      ['/completions', { model: 'test/embed', prompt: 'hi' }],
    ] as const) {
      const reply = await post(route, body);
      expect(reply.status).toBe(404);
      expect(reply.body.error.message).toMatch(/test\/embed is an embedding model: send it to POST \/embeddings/);
    }
  });
});

describe('bad /embeddings input', () => {
  const valid = { model: 'test/embed', input: 'hello' };
  /** `mentions`: what the message names when it is not the field itself. */
  const cases: { name: string; body: unknown; field: string; mentions?: string }[] = [
    { name: 'no input', body: { model: 'test/embed' }, field: 'input' },
    { name: 'an empty input', body: { ...valid, input: '' }, field: 'input' },
    { name: 'an input of the wrong type', body: { ...valid, input: 42 }, field: 'input' },
    { name: 'an empty array', body: { ...valid, input: [] }, field: 'input' },
    { name: 'a non-string in the array', body: { ...valid, input: ['ok', { text: 'no' }] }, field: 'input[1]' },
    { name: 'an empty string in the array', body: { ...valid, input: ['ok', ''] }, field: 'input[1]' },
    { name: 'token ids', body: { ...valid, input: [1, 2, 3] }, field: 'input' },
    { name: 'arrays of token ids', body: { ...valid, input: [[1, 2], [3]] }, field: 'input' },
    { name: 'too many inputs', body: { ...valid, input: Array.from({ length: 2049 }, () => 'x') }, field: 'input' },
    { name: 'no model', body: { input: 'hello' }, field: 'model' },
    { name: 'a model of the wrong type', body: { ...valid, model: 7 }, field: 'model' },
    { name: 'an unknown model', body: { ...valid, model: 'nobody/nothing' }, field: 'model', mentions: 'nobody/nothing is not a valid model ID' },
    { name: 'an unknown encoding_format', body: { ...valid, encoding_format: 'int8' }, field: 'encoding_format' },
    { name: 'dimensions of the wrong type', body: { ...valid, dimensions: '64' }, field: 'dimensions' },
    { name: 'dimensions out of range', body: { ...valid, dimensions: 0 }, field: 'dimensions' },
    { name: 'dimensions longer than the model’s vectors', body: { ...valid, dimensions: 257 }, field: 'dimensions' },
    { name: 'dimensions on a model that takes none', body: { ...valid, model: 'test/embed-fixed', dimensions: 64 }, field: 'dimensions' },
    { name: 'a user of the wrong type', body: { ...valid, user: 12 }, field: 'user' },
    { name: 'an unknown input_type', body: { ...valid, input_type: 'poetry' }, field: 'input_type' },
    { name: 'provider preferences of the wrong type', body: { ...valid, provider: { sort: 'fastest' } }, field: 'provider.sort' },
  ];

  it.each(cases)('$name is a 400 naming `$field`, with no upstream call and no credit taken', async ({ body, field, mentions }) => {
    const before = await balance(gateway);
    const upstreamBefore = gateway.simulator.stats('sim-embed').requests;

    const response = await fetch(`${gateway.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify(body),
    });
    const reply = (await response.json()) as { error: { code: number; message: string; metadata: { field?: string } } };

    expect(response.status).toBe(400);
    expect(reply.error.code).toBe(400);
    expect(reply.error.metadata.field).toBe(field);
    expect(reply.error.message).toContain(mentions ?? `\`${field}\``);
    expect(gateway.simulator.stats('sim-embed').requests).toBe(upstreamBefore);
    expect(await balance(gateway)).toBe(before);
  });

  it('refuses a request without a key with a 401 and no upstream call', async () => {
    const upstreamBefore = gateway.simulator.stats('sim-embed').requests;
    const response = await fetch(`${gateway.baseUrl}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(valid) });
    expect(response.status).toBe(401);
    expect(gateway.simulator.stats('sim-embed').requests).toBe(upstreamBefore);
  });
});

describe('GET /models', () => {
  it('lists an embedding model with output modality embeddings, and a chat model with text', async () => {
    const { data } = (await (await fetch(`${gateway.baseUrl}/models`)).json()) as { data: { id: string; architecture: { modality: string; output_modalities: string[] } }[] };
    expect(data.find((entry) => entry.id === 'test/embed')?.architecture).toMatchObject({ modality: 'text->embeddings', output_modalities: ['embeddings'] });
    expect(data.find((entry) => entry.id === 'test/one')?.architecture).toMatchObject({ output_modalities: ['text'] });
  });
});
