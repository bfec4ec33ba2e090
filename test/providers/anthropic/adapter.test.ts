// The adapter against a real HTTP server on loopback: what reaches the
// upstream, and how connection failures and broken replies surface.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createAnthropicAdapter } from '../../../lib/providers/anthropic/index.ts';
import type { ProviderCall } from '../../../lib/providers/types.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { anthropicEndpoint, type EndpointOptions } from './support/endpoint.ts';
import { replyWith, sseReply, startLoopbackUpstream, type LoopbackUpstream } from '../../support/loopback-upstream.ts';

const anthropicAdapter = createAnthropicAdapter();

const API_KEY = 'sk-ant-api03-secret-test-key';

const textStream = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_a1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":9,"output_tokens":1}}}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Olá"}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":0}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

let upstream: LoopbackUpstream;

beforeAll(async () => {
  upstream = await startLoopbackUpstream();
  upstream.reply(sseReply(textStream));
});
afterAll(async () => {
  await upstream.close();
});

function call(overrides: Partial<ProviderCall> & { body?: Record<string, unknown>; endpoint?: ProviderCall['endpoint'] } = {}): ProviderCall {
  const { body, ...rest } = overrides;
  return {
    request: chatRequest.parse({ model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Say hello in Portuguese.' }], ...body }),
    endpoint: anthropicEndpoint({ baseUrl: `${upstream.url}/` }),
    stream: true,
    maxTokens: 256,
    credential: API_KEY,
    signal: new AbortController().signal,
    fetch,
    ...rest,
  };
}

function endpoint(options: EndpointOptions = {}): ProviderCall['endpoint'] {
  return anthropicEndpoint({ baseUrl: upstream.url, ...options });
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  return outcome;
}

describe('anthropicAdapter.send', () => {
  it('POSTs the converted body to /v1/messages with the key, the API version and the provider headers', async () => {
    upstream.reply(sseReply(textStream));
    const before = upstream.requests.length;

    const events = await collect(
      await anthropicAdapter.send(call({ endpoint: endpoint({ headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }), body: { stop: ['END'] } })),
    );

    const received = upstream.requests.slice(before);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 256,
      stream: true,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello in Portuguese.' }] }],
    });
    expect(events).toEqual([
      { type: 'start', upstreamId: 'msg_a1' },
      { type: 'text', text: 'Olá' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'end_turn',
        usage: { promptTokens: 9, completionTokens: 3, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('asks for JSON without `stream` and converts the Message', async () => {
    upstream.reply(
      replyWith(
        200,
        '{"id":"msg_j1","type":"message","role":"assistant","content":[{"type":"text","text":"Olá!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":3}}',
        JSON_HEADERS,
      ),
    );
    const before = upstream.requests.length;

    const events = await collect(await anthropicAdapter.send(call({ stream: false })));

    expect(JSON.parse(upstream.requests[before]?.body ?? '')).not.toHaveProperty('stream');
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'finish']);
  });

  it('rejects with the mapped error on an error status, never echoing the key', async () => {
    upstream.reply(replyWith(401, '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', JSON_HEADERS));

    const error = await rejection(anthropicAdapter.send(call()));

    expect([error.status, error.type, error.retryable, error.provider]).toEqual([502, 'provider_unavailable', true, 'Anthropic']);
    expect(`${error.message} ${error.toResponseBody()}`).not.toContain(API_KEY);
  });

  it('sends no key to a provider without a credential (the simulator)', async () => {
    upstream.reply(sseReply(textStream));
    const before = upstream.requests.length;

    await collect(await anthropicAdapter.send(call({ credential: undefined, endpoint: endpoint({ credential: null }) })));

    expect(upstream.requests).toHaveLength(before + 1);
    expect(upstream.requests[before]?.headers).not.toHaveProperty('x-api-key');
  });

  it('rejects with a retryable error when nothing listens', async () => {
    const closed = await startLoopbackUpstream();
    const url = closed.url;
    await closed.close();

    const error = await rejection(anthropicAdapter.send(call({ endpoint: anthropicEndpoint({ baseUrl: url }) })));

    expect([error.status, error.type, error.retryable]).toEqual([502, 'provider_unavailable', true]);
  });

  it('ends with an error event when the connection drops mid-stream', async () => {
    const head = textStream.slice(0, textStream.indexOf('event: content_block_stop'));
    // The head of the stream, then the connection destroyed mid-answer: a real drop.
    upstream.reply({ status: 200, headers: { 'content-type': 'text/event-stream' }, pieces: [new TextEncoder().encode(head)], then: 'drop' });

    const events: StreamEvent[] = [];
    for await (const event of await anthropicAdapter.send(call())) {
      events.push(event);
    }

    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
    const last = events.at(-1);
    expect(last?.type === 'error' && [last.error.status, last.error.retryable]).toEqual([502, true]);
  });

  it('ends with an error event when a JSON reply is not JSON', async () => {
    upstream.reply(replyWith(200, '<html>gateway timeout</html>', { 'content-type': 'text/html' }));

    const events = await collect(await anthropicAdapter.send(call({ stream: false })));

    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('error');
  });
});
