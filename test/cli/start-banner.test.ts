// The banner `npm start` prints: its snippet names a chat model of the
// catalog in use that this machine can serve, and it says where the keys
// are kept. Once as a function, once as `npm start`'s own process with
// SWITCHYARD_CATALOG replacing the catalog.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBanner, suggestedChatModel } from '../../cli/start-banner.ts';
import { createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const sim = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 3 };
const endpoint = (provider: string, extra: Record<string, unknown> = {}) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '2' },
  contextLength: 8_000,
  maxCompletionTokens: 1_000,
  supportedParameters: ['temperature', 'max_tokens'],
  ...extra,
});

/** A team's own catalog: an embedding model first, a chat model on a keyed host, one on a simulated host. */
const ownCatalogDocument = {
  providers: {
    'acme-embed': { name: 'Acme Embed', kind: 'openai', simulator: sim },
    'acme-vllm': { name: 'Acme vLLM', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', credential: 'ACME_VLLM_KEY' },
    'acme-sim': { name: 'Acme Sim', kind: 'openai', simulator: sim },
  },
  models: [
    { id: 'acme/embed', name: 'Acme Embed', created: 1767225600, endpoints: [endpoint('acme-embed', { pricing: { prompt: '1', completion: '0' }, maxCompletionTokens: 1, embedding: { dimensions: 8, dimensionsParameter: 'any' } })] },
    { id: 'acme/llama', name: 'Acme Llama', created: 1767225600, endpoints: [endpoint('acme-vllm')] },
    { id: 'acme/chat', name: 'Acme Chat', created: 1767225600, endpoints: [endpoint('acme-sim')] },
  ],
};

const keys = { apiKey: 'sk-sy-v1-' + 'a'.repeat(64), managementKey: 'sk-sy-v1-' + 'b'.repeat(64), accountId: 'local' };
const banner = (document: unknown, missing: string[]) =>
  startBanner({ url: 'http://127.0.0.1:8787', baseUrl: 'http://127.0.0.1:8787/api/v1', keys, dataDir: '/srv/switchyard-data', catalog: createCatalog(document), missingCredentials: new Set(missing) });

describe('the start banner', () => {
  it('names simulator/fast and the flaky fallback demo with the default catalog', () => {
    const catalog = defaultCatalog();
    const text = startBanner({ url: 'http://127.0.0.1:8787', baseUrl: 'http://127.0.0.1:8787/api/v1', keys, dataDir: '/srv/switchyard-data', catalog, missingCredentials: new Set(['OPENAI_API_KEY']) });

    expect(text).toContain("model: 'simulator/fast',");
    expect(text).toContain('"model":"simulator/fast"');
    expect(text).toContain('simulator/flaky shows a fallback');
    expect(text).toContain('set OPENAI_API_KEY in the environment');
  });

  it('names a servable chat model of a replaced catalog, never the simulator models it does not have', () => {
    const text = banner(ownCatalogDocument, ['ACME_VLLM_KEY']);

    expect(text).toContain("model: 'acme/chat',");
    expect(text).toContain('"model":"acme/chat"');
    expect(text).not.toContain('simulator/');
    expect(text).toContain('Providers:       Acme Embed, Acme Sim');
    expect(text).toContain('set ACME_VLLM_KEY in the environment');
  });

  it('says where the keys are kept', () => {
    const text = banner(ownCatalogDocument, []);

    expect(text).toContain(`API key:         ${keys.apiKey}`);
    expect(text).toContain(`Management key:  ${keys.managementKey}`);
    expect(text).toContain(`Keys kept in:    ${path.join('/srv/switchyard-data', 'local-keys.json')}`);
    expect(text).toContain('Provider keys:   read from the environment at start, never written to the data folder');
  });

  it('picks the first servable chat model in catalog order once its credential is set', () => {
    expect(suggestedChatModel(createCatalog(ownCatalogDocument), new Set())).toBe('acme/llama');
    expect(suggestedChatModel(createCatalog(ownCatalogDocument), new Set(['ACME_VLLM_KEY']))).toBe('acme/chat');
  });

  it('says what to set when no chat model can be served', () => {
    const onlyKeyed = { providers: { 'acme-vllm': ownCatalogDocument.providers['acme-vllm'] }, models: [ownCatalogDocument.models[1]] };

    const text = banner(onlyKeyed, ['ACME_VLLM_KEY']);

    expect(text).toContain('No chat model of this catalog can be served: set ACME_VLLM_KEY and start again.');
    expect(text).not.toContain('model:');
  });
});

describe('npm start with SWITCHYARD_CATALOG', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('prints a snippet with a model of that catalog, and the snippet works', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'switchyard-banner-'));
    directories.push(directory);
    const catalogFile = path.join(directory, 'catalog.json');
    await writeFile(catalogFile, JSON.stringify(ownCatalogDocument));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: directory, PORT: '0', SWITCHYARD_DATA_DIR: path.join(directory, 'data'), SWITCHYARD_CATALOG: catalogFile };
    const child = spawn(process.execPath, ['cli/local.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('Press Ctrl-C to stop.')) resolve(text);
        });
        child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before its banner: ${text}`)));
      });

      expect(output).toContain("model: 'acme/chat',");
      expect(output).not.toContain('simulator/');
      expect(output).toContain(`Keys kept in:    ${path.join(directory, 'data', 'local-keys.json')}`);
      const baseUrl = /baseURL: '([^']+)'/.exec(output)?.[1] ?? '';
      const apiKey = /API key: +(sk-sy-v1-[0-9a-f]{64})/.exec(output)?.[1] ?? '';
      const reply = await fetch(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'acme/chat', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(reply.status).toBe(200);
      expect(await reply.json()).toMatchObject({ object: 'chat.completion', provider: 'Acme Sim', model: 'acme/chat' });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
