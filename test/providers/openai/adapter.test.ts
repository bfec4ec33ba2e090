import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createOpenaiAdapter } from '../../../lib/providers/openai/index.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { startLoopbackUpstream } from '../../support/loopback-upstream.ts';
import { chatCall, collect, expectWellFormed, openaiEndpoint, startReplayServer, type ReplayServer } from './support.ts';

const openaiAdapter = createOpenaiAdapter();

const textChunk = (content: string): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-A1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const finishChunk = `data: ${JSON.stringify({ id: 'chatcmpl-A1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
const sseHeaders = { 'content-type': 'text/event-stream' };

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server.close();
});

describe('openaiAdapter.send', () => {
  it('POSTs the converted body to {baseUrl}/chat/completions with the credential and the provider headers', async () => {
    server.reply({ status: 200, headers: sseHeaders, body: `${textChunk('Hi')}${finishChunk}data: [DONE]\n\n` });
    const endpoint = openaiEndpoint({
      baseUrl: `${server.url}/openai/v1/`,
      headers: { 'HTTP-Referer': 'https://switchyard.example', 'X-Title': 'Switchyard' },
      supportedParameters: ['max_completion_tokens', 'temperature'],
    });
    const before = server.requests.length;
    const events = await collect(
      await openaiAdapter.send(chatCall({ endpoint, maxTokens: 300, request: { temperature: 0.3, top_k: 5 } })),
    );
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'finish']);
    const [request] = server.requests.slice(before);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/openai/v1/chat/completions');
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer sk-test-0123456789',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'http-referer': 'https://switchyard.example',
      'x-title': 'Switchyard',
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'chat-1-2025-06-01',
      messages: [{ role: 'user', content: 'Hello' }],
      max_completion_tokens: 300,
      temperature: 0.3,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sends no Authorization header when the provider needs no credential (Ollama, vLLM)', async () => {
    server.reply({ status: 200, headers: sseHeaders, body: `${finishChunk}data: [DONE]\n\n` });
    const before = server.requests.length;
    await collect(await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }), credential: undefined })));
    expect(server.requests[before]?.headers).not.toHaveProperty('authorization');
  });

  it('asks for and converts a JSON reply when not streaming', async () => {
    server.reply({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'chatcmpl-J1',
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      }),
    });
    const before = server.requests.length;
    const events = await collect(await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }), stream: false })));
    const body: unknown = JSON.parse(server.requests[before]?.body ?? '');
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('stream_options');
    expect(events).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-J1' },
      { type: 'text', text: 'Hi' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'stop',
        usage: { promptTokens: 5, completionTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('converts a whole JSON reply from a host that ignored stream: true', async () => {
    server.reply({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ id: 'chatcmpl-J2', choices: [{ index: 0, message: { content: 'Whole' }, finish_reason: 'stop' }] }),
    });
    const events = await collect(await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }), stream: true })));
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'finish']);
  });

  it('rejects with the mapped error on an error status, before any event', async () => {
    server.reply({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after-ms': '1500' },
      body: JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }),
    });
    const sent = openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }) }));
    await expect(sent).rejects.toBeInstanceOf(GatewayError);
    await expect(sent).rejects.toMatchObject({ status: 429, retryable: true, retryAfterMs: 1500, providerCode: 'rate_limit_exceeded' });
  });

  it('a connection dropped mid-stream is a retryable 502 error event, not a throw', async () => {
    const body = `${textChunk('Once')}${textChunk(' upon')}${finishChunk}data: [DONE]\n\n`;
    server.reply({ status: 200, headers: sseHeaders, body, dropAfterBytes: textChunk('Once').length + 10 });
    const events = await collect(await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }) })));
    expectWellFormed(events);
    expect(events.slice(0, 2)).toEqual([{ type: 'start', upstreamId: 'chatcmpl-A1' }, { type: 'text', text: 'Once' }]);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type === 'error') {
      expect(last.error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true, provider: 'Acme AI' });
    }
  });

  it('stops reading when the signal aborts mid-stream and ends with an error event', async () => {
    server.reply({ status: 200, headers: sseHeaders, body: `${textChunk('Hold')}${textChunk('never sent')}`, holdAfterBytes: textChunk('Hold').length });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const event of await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }), signal: controller.signal }))) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
    const last = events.at(-1);
    if (last?.type === 'error') expect(last.error).toMatchObject({ status: 408, type: 'timeout' });
  });

  it('an already aborted call rejects as a retryable timeout', async () => {
    server.reply({ status: 200, headers: sseHeaders, body: finishChunk });
    const signal = AbortSignal.abort();
    await expect(openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: server.url }), signal }))).rejects.toMatchObject({
      status: 408,
      type: 'timeout',
      retryable: true,
    });
  });

  it('a refused connection rejects as a retryable 502', async () => {
    // Bind a port, then close it, so nothing listens there.
    const probe = await startLoopbackUpstream();
    await probe.close();
    await expect(openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: probe.url }) }))).rejects.toMatchObject({
      status: 502,
      type: 'provider_unavailable',
      retryable: true,
    });
  });

  it('releases the upstream connection when the consumer stops early', async () => {
    const upstream = await startLoopbackUpstream({ status: 200, headers: sseHeaders, pieces: [new TextEncoder().encode(textChunk('first'))], then: 'hold' });
    try {
      const events = await openaiAdapter.send(chatCall({ endpoint: openaiEndpoint({ baseUrl: upstream.url }) }));
      for await (const event of events) if (event.type === 'text') break;
      expect(upstream.requests).toHaveLength(1);
      await upstream.closed();
    } finally {
      await upstream.close();
    }
  });
});
