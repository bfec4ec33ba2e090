import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';
import { FALLBACK_TOKEN_ENCODING } from '../../lib/tokens/encodings.ts';
import { startTestGateway } from '../support/local-gateway.ts';

const provider = { name: 'My vLLM', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', credential: 'MY_KEY' };
const endpoint = {
  provider: 'my-vllm',
  upstreamModel: 'llama',
  pricing: { prompt: '0.2', completion: '0.2' },
  contextLength: 8192,
  maxCompletionTokens: 1024,
  supportedParameters: ['temperature'],
};
const model = { id: 'meta/llama', name: 'Llama', created: 1, endpoints: [endpoint] };

describe('the default catalog', () => {
  it('validates, with real providers and the simulator', () => {
    const catalog = defaultCatalog({ simulatorUrl: 'http://127.0.0.1:1234' });
    const kinds = new Set([...catalog.providers.values()].map((entry) => entry.kind));
    expect(kinds).toEqual(new Set(['openai', 'anthropic', 'gemini', 'bedrock']));
    for (const id of ['openai', 'anthropic', 'google-ai-studio', 'amazon-bedrock', 'groq', 'together', 'mistral']) {
      expect(catalog.providers.has(id)).toBe(true);
    }
    expect(catalog.models.get('openai/gpt-4o-mini')?.endpoints[0]?.pricing).toMatchObject({ prompt: '0.15', completion: '0.6' });
    const flaky = catalog.models.get('simulator/flaky');
    expect(flaky?.endpoints.map((entry) => entry.provider.simulator?.failure?.mode)).toEqual(['status', undefined]);
    expect(catalog.providers.get('simulator')?.baseUrl).toBe('http://127.0.0.1:1234/simulator');
    for (const entry of catalog.endpoints) expect(entry.id).toBe(`${entry.modelId}@${entry.tag}`);
  });

  it('counts the OpenAI models with o200k_base, and the rest with the stated fallback', () => {
    const catalog = defaultCatalog();
    for (const id of ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/gpt-4.1', 'openai/gpt-4.1-mini']) {
      expect(catalog.models.get(id)?.tokenEncoding).toBe('o200k_base');
    }
    expect(FALLBACK_TOKEN_ENCODING).toBe('o200k_base');
    const claude = catalog.models.get('anthropic/claude-sonnet-4.5');
    expect(claude?.tokenizer).toBe('Claude');
    expect(claude?.endpoints.map((entry) => entry.tokenEncoding)).toEqual([FALLBACK_TOKEN_ENCODING, FALLBACK_TOKEN_ENCODING, FALLBACK_TOKEN_ENCODING]);
    expect(catalog.models.get('openai/gpt-4')?.tokenEncoding).toBe('cl100k_base');
  });
});

describe('createCatalog', () => {
  it('makes any OpenAI-compatible server one entry', () => {
    const catalog = createCatalog({ providers: { 'my-vllm': provider }, models: [model] });
    expect(catalog.models.get('meta/llama')?.endpoints[0]).toMatchObject({ id: 'meta/llama@my-vllm', upstreamModel: 'llama', tag: 'my-vllm' });
  });

  it('resolves the token encoding a model names onto each of its endpoints, the fallback when it names none', () => {
    const second = { ...endpoint, tag: 'second' };
    const catalog = createCatalog({
      providers: { 'my-vllm': provider },
      models: [
        { ...model, id: 'openai/gpt-4', tokenEncoding: 'cl100k_base', endpoints: [endpoint, second] },
        { ...model, id: 'meta/llama' },
      ],
    });
    expect(catalog.models.get('openai/gpt-4')?.tokenEncoding).toBe('cl100k_base');
    expect(catalog.models.get('openai/gpt-4')?.endpoints.map((entry) => entry.tokenEncoding)).toEqual(['cl100k_base', 'cl100k_base']);
    expect(catalog.models.get('meta/llama')?.tokenEncoding).toBe(FALLBACK_TOKEN_ENCODING);
    expect(catalog.models.get('meta/llama')?.endpoints[0]?.tokenEncoding).toBe(FALLBACK_TOKEN_ENCODING);
  });

  it.each([
    [{ providers: { 'my-vllm': provider }, models: [{ ...model, endpoints: [{ ...endpoint, pricing: { prompt: '1.2345678', completion: '1' } }] }] }, /models\[0\] \(meta\/llama\)\.endpoints\[0\]\.pricing\.prompt: must be a decimal string/],
    [{ providers: { 'my-vllm': { ...provider, kind: 'grpc' } }, models: [] }, /providers\.my-vllm\.kind/],
    [{ providers: {}, models: [model] }, /models\[0\] \(meta\/llama\)\.endpoints\[0\]\.provider: unknown provider "my-vllm"/],
    [{ providers: { 'my-vllm': provider }, models: [model, model] }, /models\[1\] \(meta\/llama\): duplicate model id/],
    [{ providers: { 'my-vllm': provider }, models: [{ ...model, id: 'no-slash' }] }, /models\[0\] \(no-slash\)\.id: must look like author\/slug/],
    [{ providers: { 'my-vllm': provider }, models: [{ ...model, tokenEncoding: 'llama3' }] }, /models\[0\] \(meta\/llama\)\.tokenEncoding: must be one of o200k_base, cl100k_base/],
  ])('points at the bad entry (%#)', (document, message) => {
    expect(() => createCatalog(document, { source: 'my-catalog.json' })).toThrow(CatalogError);
    expect(() => createCatalog(document, { source: 'my-catalog.json' })).toThrow(message);
  });
});

describe('SWITCHYARD_CATALOG', () => {
  it('replaces the default catalog in local mode', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'switchyard-catalog-'));
    const file = path.join(folder, 'catalog.json');
    await writeFile(file, JSON.stringify({ providers: { 'my-vllm': provider }, models: [model] }));
    const gateway = await startTestGateway({ catalogDocument: undefined, env: { SWITCHYARD_CATALOG: file } });
    try {
      const response = await fetch(`${gateway.baseUrl}/models`);
      const body = (await response.json()) as { data: { id: string }[] };
      expect(body.data.map((entry) => entry.id)).toEqual(['meta/llama']);
    } finally {
      await gateway.close();
    }
  });

  it('extends the default catalog with "extends": "default": the user\'s providers and models added, theirs winning by id', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'switchyard-catalog-'));
    const file = path.join(folder, 'catalog.json');
    const ownGpt = { ...model, id: 'openai/gpt-4o-mini', name: 'GPT-4o mini through my proxy' };
    await writeFile(file, JSON.stringify({ extends: 'default', providers: { 'my-vllm': provider }, models: [model, ownGpt] }));
    const gateway = await startTestGateway({ catalogDocument: undefined, env: { SWITCHYARD_CATALOG: file } });
    try {
      const endpoints = async (id: string): Promise<{ status: number; tags: string[]; name?: string }> => {
        const response = await fetch(`${gateway.baseUrl}/models/${id}/endpoints`);
        if (response.status !== 200) return { status: response.status, tags: [] };
        const body = (await response.json()) as { data: { name: string; endpoints: { tag: string }[] } };
        return { status: 200, tags: body.data.endpoints.map((entry) => entry.tag), name: body.data.name };
      };
      expect(await endpoints('meta/llama')).toEqual({ status: 200, tags: ['my-vllm'], name: 'Llama' });
      expect(await endpoints('openai/gpt-4o-mini')).toEqual({ status: 200, tags: ['my-vllm'], name: 'GPT-4o mini through my proxy' });
      expect((await endpoints('anthropic/claude-sonnet-4.5')).tags).toEqual(['anthropic', 'amazon-bedrock', 'openrouter']);
      expect((await endpoints('simulator/flaky')).tags).toEqual(['simulator-flaky', 'simulator-steady']);
    } finally {
      await gateway.close();
    }
  });

  it('names the field when "extends" is anything but "default"', () => {
    expect(() => createCatalog({ extends: 'openrouter', providers: {}, models: [] }, { source: 'my-catalog.json' })).toThrow(/extends: must be "default"/);
  });

  it('checks a model that extends the default against the default\'s providers too', () => {
    const onBedrock = { ...model, id: 'me/titan', endpoints: [{ ...endpoint, provider: 'amazon-bedrock' }] };
    expect(createCatalog({ extends: 'default', providers: {}, models: [onBedrock] }).models.get('me/titan')?.endpoints[0]?.provider.kind).toBe('bedrock');
    expect(() => createCatalog({ extends: 'default', providers: {}, models: [model] }, { source: 'mine.json' })).toThrow(/unknown provider "my-vllm"/);
  });

  it('refuses to start with a catalog that does not validate', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'switchyard-catalog-'));
    const file = path.join(folder, 'bad.json');
    await writeFile(file, JSON.stringify({ providers: {}, models: [model] }));
    await expect(startTestGateway({ catalogDocument: undefined, env: { SWITCHYARD_CATALOG: file } })).rejects.toThrow(/unknown provider "my-vllm"/);
  });
});
