import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';
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
});

describe('createCatalog', () => {
  it('makes any OpenAI-compatible server one entry', () => {
    const catalog = createCatalog({ providers: { 'my-vllm': provider }, models: [model] });
    expect(catalog.models.get('meta/llama')?.endpoints[0]).toMatchObject({ id: 'meta/llama@my-vllm', upstreamModel: 'llama', tag: 'my-vllm' });
  });

  it.each([
    [{ providers: { 'my-vllm': provider }, models: [{ ...model, endpoints: [{ ...endpoint, pricing: { prompt: '1.2345678', completion: '1' } }] }] }, /models\[0\] \(meta\/llama\)\.endpoints\[0\]\.pricing\.prompt: must be a decimal string/],
    [{ providers: { 'my-vllm': { ...provider, kind: 'grpc' } }, models: [] }, /providers\.my-vllm\.kind/],
    [{ providers: {}, models: [model] }, /models\[0\] \(meta\/llama\)\.endpoints\[0\]\.provider: unknown provider "my-vllm"/],
    [{ providers: { 'my-vllm': provider }, models: [model, model] }, /models\[1\] \(meta\/llama\): duplicate model id/],
    [{ providers: { 'my-vllm': provider }, models: [{ ...model, id: 'no-slash' }] }, /models\[0\] \(no-slash\)\.id: must look like author\/slug/],
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

  it('refuses to start with a catalog that does not validate', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'switchyard-catalog-'));
    const file = path.join(folder, 'bad.json');
    await writeFile(file, JSON.stringify({ providers: {}, models: [model] }));
    await expect(startTestGateway({ catalogDocument: undefined, env: { SWITCHYARD_CATALOG: file } })).rejects.toThrow(/unknown provider "my-vllm"/);
  });
});
