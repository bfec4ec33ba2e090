// The adapter against a real HTTP server on loopback: what reaches the
// upstream, and how connection failures and broken replies surface.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createAnthropicAdapter } from '../../../lib/providers/anthropic/index.ts';
import type { ProviderCall } from '../../../lib/providers/types.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { anthropicEndpoint, type EndpointOptions } from './support/endpoint.ts';
import { jsonResponse, sseResponse, startUpstream, type Reply, type Upstream } from './support/upstream-server.ts';

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

let upstream: Upstream;
let reply: Reply = () => sseResponse(textStream);

beforeAll(async () => {
  upstream = await startUpstream((request) => reply(request));
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
    reply = () => sseResponse(textStream);
    const before = upstream.received.length;

    const events = await collect(
      await anthropicAdapter.send(call({ endpoint: endpoint({ headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }), body: { stop: ['END'] } })),
    );

    const received = upstream.received.slice(before);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers.get('x-api-key')).toBe(API_KEY);
    expect(request?.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('anthropic-beta')).toBe('interleaved-thinking-2025-05-14');
    expect(request?.headers.get('authorization')).toBeNull();
    expect(request?.body).toEqual({
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
    reply = () =>
      jsonResponse(
        '{"id":"msg_j1","type":"message","role":"assistant","content":[{"type":"text","text":"Olá!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":3}}',
      );
    const before = upstream.received.length;

    const events = await collect(await anthropicAdapter.send(call({ stream: false })));

    expect(upstream.received[before]?.body).not.toHaveProperty('stream');
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'finish']);
  });

  it('rejects with the mapped error on an error status, never echoing the key', async () => {
    reply = () => jsonResponse('{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 401);

    const error = await rejection(anthropicAdapter.send(call()));

    expect([error.status, error.type, error.retryable, error.provider]).toEqual([502, 'provider_unavailable', true, 'Anthropic']);
    expect(`${error.message} ${error.toResponseBody()}`).not.toContain(API_KEY);
  });

  it('sends no key to a provider without a credential (the simulator)', async () => {
    reply = () => sseResponse(textStream);
    const before = upstream.received.length;

    await collect(await anthropicAdapter.send(call({ credential: undefined, endpoint: endpoint({ credential: null }) })));

    expect(upstream.received[before]?.headers.get('x-api-key')).toBeNull();
  });

  it('rejects with a retryable error when nothing listens', async () => {
    const closed = await startUpstream(() => new Response(null));
    const url = closed.url;
    await closed.close();

    const error = await rejection(anthropicAdapter.send(call({ endpoint: anthropicEndpoint({ baseUrl: url }) })));

    expect([error.status, error.type, error.retryable]).toEqual([502, 'provider_unavailable', true]);
  });

  it('ends with an error event when the connection drops mid-stream', async () => {
    const head = textStream.slice(0, textStream.indexOf('event: content_block_stop'));
    let drop: () => void = () => undefined;
    const dropped = new Promise<void>((resolve) => {
      drop = resolve;
    });
    reply = () => {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent) {
            await dropped;
            // cli/serve destroys the socket when the body fails: a real drop.
            controller.error(new Error('upstream went away'));
            return;
          }
          sent = true;
          controller.enqueue(new TextEncoder().encode(head));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    };

    const events: StreamEvent[] = [];
    for await (const event of await anthropicAdapter.send(call())) {
      events.push(event);
      // Cut the connection only once the first content arrived, as a drop mid-answer does.
      if (event.type === 'text') drop();
    }

    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
    const last = events.at(-1);
    expect(last?.type === 'error' && [last.error.status, last.error.retryable]).toEqual([502, true]);
  });

  it('ends with an error event when a JSON reply is not JSON', async () => {
    reply = () => new Response('<html>gateway timeout</html>', { status: 200, headers: { 'content-type': 'text/html' } });

    const events = await collect(await anthropicAdapter.send(call({ stream: false })));

    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('error');
  });
});
