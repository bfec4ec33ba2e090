// OpenRouter as an upstream, as the default catalog configures it (the
// OpenAI wire with OPENROUTER_API_KEY and OpenRouter's own request fields):
// what the gateway sends it, and its recorded stream (SSE comments while it
// routes, usage with cost and cache writes) read back.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatWireRequest } from '../../../lib/api/chat-request.ts';
import { defaultCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import * as openai from '../../../lib/providers/openai/index.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { startLoopbackUpstream, type LoopbackUpstream } from '../../support/loopback-upstream.ts';
import { chatCall, collect, ownFixtures, summarize, usage } from './support.ts';

let upstream: LoopbackUpstream;
beforeAll(async () => {
  upstream = await startLoopbackUpstream();
});
afterAll(async () => {
  await upstream.close();
});

const MODEL = 'anthropic/claude-3.7-sonnet';

function openRouterEndpoint(): Endpoint {
  const endpoint = defaultCatalog().models.get(MODEL)?.endpoints.find((candidate) => candidate.provider.id === 'openrouter');
  if (endpoint === undefined) throw new Error(`the default catalog serves ${MODEL} on OpenRouter`);
  return { ...endpoint, provider: { ...endpoint.provider, baseUrl: `${upstream.url}/api/v1` } };
}

async function send(body: Partial<ChatWireRequest>): Promise<{ sent: Record<string, unknown>; headers: Record<string, unknown>; events: StreamEvent[] }> {
  upstream.reply({
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    pieces: [readFileSync(path.join(ownFixtures, 'stream-usage-cost-openrouter.sse'))],
  });
  const before = upstream.requests.length;
  const call = chatCall({
    request: { model: MODEL, messages: [{ role: 'user', content: 'Olá' }], stream: true, ...body },
    endpoint: openRouterEndpoint(),
    maxTokens: 4096,
    credential: 'sk-or-v1-test',
  });
  const events = await collect(await openai.createAdapter().send(call));
  const received = upstream.requests[before];
  if (received === undefined) throw new Error('no request reached the upstream');
  expect(received.url).toBe('/api/v1/chat/completions');
  return { sent: JSON.parse(received.body) as Record<string, unknown>, headers: received.headers, events };
}

describe('OpenRouter as an upstream', () => {
  it('is in the default catalog as an OpenAI-wire provider with its key, left to real traffic by the probe', () => {
    const provider = openRouterEndpoint().provider;
    expect(provider).toMatchObject({ kind: 'openai', credential: 'OPENROUTER_API_KEY', healthProbe: false, requestFields: ['reasoning', 'transforms', 'session_id'] });
  });

  it('gets OpenRouter’s reasoning object, transforms and session id as sent; never the gateway’s routing or paid plugins', async () => {
    const { sent, headers } = await send({
      reasoning: { max_tokens: 2000, exclude: true },
      transforms: ['middle-out'],
      session_id: 'session-42',
      provider: { order: ['anthropic'], allow_fallbacks: false },
      plugins: [{ id: 'web' }],
    });
    expect(headers.authorization).toBe('Bearer sk-or-v1-test');
    expect(sent).toMatchObject({ model: MODEL, reasoning: { max_tokens: 2000, exclude: true }, transforms: ['middle-out'], session_id: 'session-42' });
    expect(sent).not.toHaveProperty('reasoning_effort');
    expect(sent).not.toHaveProperty('provider');
    expect(sent).not.toHaveProperty('plugins');
  });

  it('sends an effort as OpenRouter’s reasoning object too', async () => {
    const { sent } = await send({ reasoning: { effort: 'high' } });
    expect(sent.reasoning).toEqual({ effort: 'high' });
    expect(sent).not.toHaveProperty('reasoning_effort');
  });

  it('reads its stream: SSE comments skipped, usage with cache writes', async () => {
    const { events } = await send({});
    const { last, ...rest } = summarize(events);
    expect(rest).toMatchObject({ upstreamId: 'gen-1765059600-Qx7mK2fT9aLpZr4nVw1s', text: 'Olá! Tudo bem?', textDeltas: 2 });
    expect(last).toEqual({ type: 'finish', reason: 'stop', nativeReason: 'stop', usage: usage(2315, 12, { cacheWriteTokens: 2300 }) });
  });
});
