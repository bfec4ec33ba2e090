// Azure OpenAI as a configuration of the OpenAI wire (the provider's `azure`
// entry): a resource's deployment route and its v1 route, the key in the
// `api-key` header, `api-version` on the query; the recorded Azure stream
// (its content-filter chunk first) read back.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { createCatalog } from '../../../lib/catalog/catalog.ts';
import type { ProviderEntry } from '../../../lib/catalog/schema.ts';
import * as openai from '../../../lib/providers/openai/index.ts';
import { startLoopbackUpstream, type LoopbackUpstream } from '../../support/loopback-upstream.ts';
import { chatCall, collect, openaiEndpoint, ownFixtures, summarize } from './support.ts';

let upstream: LoopbackUpstream;
beforeAll(async () => {
  upstream = await startLoopbackUpstream();
});
afterAll(async () => {
  await upstream.close();
});

async function send(baseUrl: string, azure: ProviderEntry['azure'], stream: boolean) {
  upstream.reply({
    status: 200,
    headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' },
    pieces: [readFileSync(path.join(ownFixtures, stream ? 'stream-text-azure.sse' : 'response-content-filter-azure.json'))],
  });
  const before = upstream.requests.length;
  const call = chatCall({
    request: chatRequest.parse({ model: 'acme/chat-1', messages: [{ role: 'user', content: 'Bom dia' }], stream }),
    endpoint: openaiEndpoint({ baseUrl, azure, upstreamModel: 'gpt-4o-prod' }),
    stream,
    maxTokens: 256,
    credential: 'azure-key-123',
  });
  const events = await collect(await openai.createAdapter().send(call));
  const received = upstream.requests[before];
  if (received === undefined) throw new Error('no request reached the upstream');
  return { received, body: JSON.parse(received.body) as Record<string, unknown>, events };
}

describe('Azure OpenAI', () => {
  it('deployments: POST /openai/deployments/{deployment}/chat/completions?api-version, api-key header, no model in the body', async () => {
    const { received, body, events } = await send(`${upstream.url}/openai`, { route: 'deployments', apiVersion: '2024-10-21' }, true);
    expect(received.url).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    expect(received.headers['api-key']).toBe('azure-key-123');
    expect(received.headers.authorization).toBeUndefined();
    expect(body).not.toHaveProperty('model');
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(summarize(events)).toMatchObject({ upstreamId: 'chatcmpl-CkZ4a7bC0dE3fG6hI9jK2lM5nO8p', text: 'Bom dia!' });
  });

  it('v1: POST /openai/v1/chat/completions with the model in the body, api-version only when set', async () => {
    const { received, body, events } = await send(`${upstream.url}/openai/v1`, { route: 'v1' }, false);
    expect(received.url).toBe('/openai/v1/chat/completions');
    expect(received.headers['api-key']).toBe('azure-key-123');
    expect(body.model).toBe('gpt-4o-prod');
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'content_filter' });

    const preview = await send(`${upstream.url}/openai/v1`, { route: 'v1', apiVersion: 'preview' }, false);
    expect(preview.received.url).toBe('/openai/v1/chat/completions?api-version=preview');
  });

  it('a catalog refuses a deployments route without an api-version, naming the field', () => {
    const document = {
      providers: { azure: { name: 'Azure OpenAI', kind: 'openai', baseUrl: 'https://res.openai.azure.com/openai', credential: 'AZURE_OPENAI_API_KEY', azure: { route: 'deployments' } } },
      models: [],
    };
    expect(() => createCatalog(document)).toThrow(/providers\.azure\.azure\.apiVersion/);
  });
});
