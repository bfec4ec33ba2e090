// The adapter against real HTTP upstreams on loopback: the requests it
// sends (signed, or with a Bedrock API key), and the cases the contract
// suite (test/providers/contract) does not cover. Every recording is
// replayed there.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter } from '../../../lib/providers/bedrock/adapter.ts';
import { streamConversion } from '../../../lib/providers/bedrock/stream-conversion.ts';
import { convertFrames } from '../../../lib/providers/upstream-stream.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { endings, expectedSummary, summarize } from './recorded-stream.ts';
import {
  bedrockEndpoint,
  CLAUDE_MODEL,
  collect,
  concatBytes,
  encodeMessage,
  fixtureFiles,
  ownFixtures,
  providerCall,
  readStreamFixture,
  staticCredentials,
} from './support.ts';
import { jsonReply, replyWith, seededRandom, splitUnevenly, startLoopbackUpstream, type LoopbackUpstream } from '../../support/loopback-upstream.ts';

const adapter = createAdapter({ awsCredentials: staticCredentials });
const request = { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hello' }] };
const ENCODED_MODEL_PATH = `/model/${encodeURIComponent(CLAUDE_MODEL)}`;

let upstream: LoopbackUpstream | undefined;
const EVENT_STREAM = { 'content-type': 'application/vnd.amazon.eventstream' };
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the call to reject');
}

describe('Bedrock adapter: ConverseStream replay over loopback', () => {
  // Every recording is replayed by the contract suite (test/providers/contract); this one shows the signed request.
  const files = fixtureFiles(ownFixtures, /^stream-text\.jsonl$/);

  it.each(files)('$name: signs the ConverseStream request, and the binary stream cut at random places gives the recorded events', async ({ name, file }) => {
    const messages = readStreamFixture(file);
    const bytes = concatBytes(messages.map(encodeMessage));
    const pieces = splitUnevenly(bytes, name, 3 + Math.floor(seededRandom(name)() * 12));
    upstream = await startLoopbackUpstream({ status: 200, headers: { ...EVENT_STREAM, 'x-amzn-requestid': 'b1e7c4a2-request' }, pieces });
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const events = await collect(await adapter.send(providerCall(endpoint, request, { stream: true })));

    const options = { provider: 'Amazon Bedrock', reasoningFormat: 'anthropic-claude-v1', upstreamId: 'b1e7c4a2-request' } as const;
    expect(events).toEqual(convertFrames(streamConversion, messages, options));
    expect(summarize(events)).toEqual(expectedSummary(messages));
    expect(endings(events)).toBe(1);
    const [sent] = upstream.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe(`${ENCODED_MODEL_PATH}/converse-stream`);
    expect(sent?.headers.accept).toBe('application/vnd.amazon.eventstream');
    expect(sent?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, /);
    expect(sent?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('sends exactly the converted body', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, concatBytes(readStreamFixture(`${ownFixtures}/stream-text.jsonl`).map(encodeMessage)), EVENT_STREAM));
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    await collect(
      await adapter.send(
        providerCall(
          endpoint,
          {
            model: 'anthropic/claude-sonnet-4.5',
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Hello' },
            ],
            temperature: 0.7,
          },
          { stream: true, maxTokens: 512 },
        ),
      ),
    );

    expect(JSON.parse(upstream.requests[0]?.body ?? '')).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 512, temperature: 0.7 },
      system: [{ text: 'Be brief.' }],
    });
  });

  it('ends with a retryable error when the connection drops mid-stream', async () => {
    const messages = readStreamFixture(`${ownFixtures}/stream-text.jsonl`);
    const frames = messages.slice(0, 3).map(encodeMessage);
    // Everything up to the middle of the third frame, then the socket goes.
    const head = frames.slice(0, 2);
    const third = frames[2] ?? new Uint8Array(0);
    upstream = await startLoopbackUpstream({ status: 200, headers: EVENT_STREAM, pieces: [...head, third.subarray(0, 10)], then: 'drop' });
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const events = await collect(await adapter.send(providerCall(endpoint, request, { stream: true })));

    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { status: 502, retryable: true, provider: 'Amazon Bedrock' } });
  });

  it('ends with a timeout error when the call is aborted mid-stream', async () => {
    const controller = new AbortController();
    // Stays open: only the abort ends this call.
    upstream = await startLoopbackUpstream({
      status: 200,
      headers: EVENT_STREAM,
      pieces: [encodeMessage({ messageType: 'event', type: 'messageStart', payload: { role: 'assistant' } })],
      then: 'hold',
    });
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const events: StreamEvent[] = [];
    for await (const event of await adapter.send(providerCall(endpoint, request, { stream: true, signal: controller.signal }))) {
      events.push(event);
      if (event.type === 'start') controller.abort();
    }

    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
    expect(events.at(-1)).toMatchObject({ error: { status: 408, type: 'timeout', retryable: true } });
  });
});

describe('Bedrock adapter: Converse replay over loopback', () => {
  it('converts a reply with reasoning and tool calls event by event', async () => {
    upstream = await startLoopbackUpstream(
      jsonReply(200, {
          output: {
            message: {
              role: 'assistant',
              content: [
                { reasoningContent: { reasoningText: { text: 'Need the weather.', signature: 'sig-1' } } },
                { text: 'Checking.' },
                { toolUse: { toolUseId: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } } },
              ],
            },
          },
          stopReason: 'tool_use',
          usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
      }),
    );
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const events = await collect(await adapter.send(providerCall(endpoint, request)));

    expect(events).toEqual([
      { type: 'start' },
      { type: 'reasoning', text: 'Need the weather.', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning-signature', signature: 'sig-1', format: 'anthropic-claude-v1', block: 0 },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'tooluse_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":"Paris"}' },
      {
        type: 'finish',
        reason: 'tool_calls',
        nativeReason: 'tool_use',
        usage: { promptTokens: 10, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('ends a malformed success reply with a retryable 502 error event', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, '{"output": {}}', { 'content-type': 'application/json' }));
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const events = await collect(await adapter.send(providerCall(endpoint, request)));

    expect(events).toMatchObject([{ type: 'error', error: { status: 502, type: 'provider_unavailable', retryable: true } }]);
  });
});

describe('Bedrock adapter: error replies', () => {
  it('honours retry-after on a throttled reply', async () => {
    upstream = await startLoopbackUpstream(replyWith(429, '{"message":"Rate exceeded"}', { 'x-amzn-ErrorType': 'ThrottlingException', 'retry-after': '7' }));
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const error = await rejection(adapter.send(providerCall(endpoint, request)));

    expect(error.retryAfterMs).toBe(7000);
  });

  it('treats a bare 403 without an error type as its own credentials failing', async () => {
    upstream = await startLoopbackUpstream(replyWith(403, '{"Message":"The security token included in the request is invalid."}', { 'content-type': 'application/json' }));
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    const error = await rejection(adapter.send(providerCall(endpoint, request)));

    expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
    expect(error.toResponseBody()).not.toContain('security token');
  });

  it('reports a refused connection as a retryable 502', async () => {
    upstream = await startLoopbackUpstream();
    const baseUrl = upstream.url;
    await upstream.close();
    upstream = undefined;
    const endpoint = bedrockEndpoint({ baseUrl, region: 'us-east-1' });

    const error = await rejection(adapter.send(providerCall(endpoint, request)));

    expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
  });
});

describe('Bedrock adapter: authentication', () => {
  const converseReply = () =>
    new Response(JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn' }), {
      headers: { 'content-type': 'application/json' },
    });

  it('signs for the region in a standard Bedrock host name when the catalog gives none', async () => {
    const seen: Request[] = [];
    const endpoint = bedrockEndpoint({ baseUrl: 'https://bedrock-runtime.eu-west-3.amazonaws.com', region: undefined });

    await collect(
      await adapter.send(
        providerCall(endpoint, request, {
          fetch: (input, init) => {
            seen.push(new Request(input, init));
            return Promise.resolve(converseReply());
          },
        }),
      ),
    );

    expect(seen[0]?.url).toBe(`https://bedrock-runtime.eu-west-3.amazonaws.com${ENCODED_MODEL_PATH}/converse`);
    expect(seen[0]?.headers.get('authorization')).toMatch(/\/eu-west-3\/bedrock\/aws4_request/);
    expect(seen[0]?.headers.get('x-amz-security-token')).toBe('session-token-example');
  });

  it('refuses to sign without a region it can trust', async () => {
    const endpoint = bedrockEndpoint({ baseUrl: 'https://bedrock.internal.example', region: undefined });

    const error = await rejection(adapter.send(providerCall(endpoint, request, { fetch: () => Promise.resolve(converseReply()) })));

    expect(error).toMatchObject({ status: 500, retryable: true });
  });

  it('sends a Bedrock API key as a bearer token instead of signing', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, { output: { message: { content: [{ text: 'ok' }] } }, stopReason: 'end_turn' }));
    const endpoint = bedrockEndpoint({ baseUrl: upstream.url, region: 'us-east-1' });

    await collect(await adapter.send(providerCall(endpoint, request, { credential: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl' })));

    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl');
    expect(upstream.requests[0]?.headers['x-amz-date']).toBeUndefined();
  });
});
