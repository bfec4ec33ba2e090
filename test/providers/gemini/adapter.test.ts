import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createGeminiAdapter } from '../../../lib/providers/gemini/index.ts';
import { convertRequest } from '../../../lib/providers/gemini/request-conversion.ts';
import {
  collect,
  contentTypeFor,
  expectWellFormed,
  fixtureFiles,
  geminiCall,
  geminiEndpoint,
  ownFixtures,
  readFixture,
  split,
  startUpstream,
  statusOf,
  summarize,
  usage,
  type EventSummary,
  type Reply,
  type Upstream,
} from './support.ts';

const geminiAdapter = createGeminiAdapter();

const upstreams: Upstream[] = [];
afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()));
});

async function upstream(reply: () => Reply): Promise<Upstream> {
  const started = await startUpstream(reply);
  upstreams.push(started);
  return started;
}

const fixtureReply = (name: string, chunkSize?: number): Reply => {
  const bytes = readFixture(ownFixtures, name);
  return { status: statusOf(name), contentType: contentTypeFor(name), chunks: chunkSize === undefined ? [bytes] : split(bytes, chunkSize) };
};

const hello = { messages: [{ role: 'user', content: 'Hello' }] };

/** The first part's signature of the `frame`-th SSE frame (or array element) of a fixture. */
function signatureIn(name: string, frame: number, part = 0): string {
  const text = readFixture(ownFixtures, name).toString('utf8');
  const items: unknown[] = name.endsWith('.sse')
    ? text.split('\r\n\r\n').filter((item) => item !== '').map((item) => JSON.parse(item.replace(/^data: /, '')) as unknown)
    : [JSON.parse(text) as unknown].flat();
  const chunk = items[frame] as { candidates: { content: { parts: { thoughtSignature: string }[] } }[] };
  return chunk.candidates[0]?.content.parts[part]?.thoughtSignature as string;
}

const base = { upstreamId: undefined, text: '', reasoning: '', signatures: [], toolCalls: [] };
const call = (id: string, name: string, args: string) => ({ id, name, arguments: args });

/** What each of our own fixtures must turn into. Every fixture file needs an entry. */
const expected: Record<string, EventSummary | { rejects: { status: number; retryable: boolean } }> = {
  'stream-text.sse': {
    ...base,
    upstreamId: 'q2tIaZGfHO6jxs0P4cS1yQ4',
    text: 'Lisbon sits on seven hills overlooking the Tagus estuary, and its trams still climb the steepest streets.',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(11, 46, 0, 27) },
  },
  'stream-thoughts.sse': {
    ...base,
    upstreamId: 'Yv9JafrxK4GnqtsP6ZKg0Q8',
    text: 'A marathon is about **42.2 km** (26.2 miles × 1.609344).',
    reasoning:
      '**Weighing the units**\n\nThe user wants miles converted to kilometres; one mile is 1.609344 km.\n\n' +
      '**Checking the arithmetic**\n\n26.2 times 1.609344 gives roughly 42.16.\n\n',
    signatures: [signatureIn('stream-thoughts.sse', 2)],
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(24, 164, 0, 143) },
  },
  'stream-function-call.sse': {
    ...base,
    upstreamId: 'A1tKaeyBD5ahxs0PkdmL-Qs',
    toolCalls: [call('call_0', 'get_weather', '{"city":"Porto","unit":"celsius"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(58, 8) },
  },
  'stream-function-call-thought-signature.sse': {
    ...base,
    upstreamId: 'kV1LafHsNJ-1qtsPwYy_6Aw',
    signatures: [signatureIn('stream-function-call-thought-signature.sse', 0)],
    toolCalls: [call('call_0', 'lookup_order', '{"order_id":"A-10442"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(41, 200, 0, 188) },
  },
  'stream-parallel-function-calls.sse': {
    ...base,
    upstreamId: 'bP5MaZ7UF4y4qtsPzqG8wQ0',
    signatures: [signatureIn('stream-parallel-function-calls.sse', 0)],
    toolCalls: [call('call_0', 'get_stock_price', '{"ticker":"ASML"}'), call('call_1', 'get_stock_price', '{"ticker":"NVDA"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(66, 86, 0, 52) },
  },
  'stream-max-tokens.sse': {
    ...base,
    upstreamId: 'Zf1NaYPzA9usqtsP3tG_kQg',
    text: 'The planets, in order from the Sun, are Mercury, Venus',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(12, 56, 0, 40) },
  },
  'stream-usage-metadata.sse': {
    ...base,
    upstreamId: 'x8BOaZfkH6a4qtsPrs3z4Q4',
    text: 'alpha\nbravo\ncharlie\ndelta\necho\nfoxtrot\ngolf',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(2115, 46, 2048, 30) },
  },
  'stream-function-call-partial-args-vertex.sse': {
    ...base,
    upstreamId: 'cNnPabKxEL3WodAP8fqXiA4',
    signatures: [signatureIn('stream-function-call-partial-args-vertex.sse', 0)],
    toolCalls: [
      call('call_0', 'book_table', '{"restaurant":"Cervejaria Ramiro","party":{"size":4,"names":["Ana","Rui"]},"outdoor":false}'),
      call('call_1', 'send_confirmation', '{"channel":"sms"}'),
    ],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(73, 175, 0, 144) },
  },
  'stream-json-array-thought-and-function-call.json': {
    ...base,
    upstreamId: 'Rk1PafOZLq2Y_uMPn5TmgQ4',
    reasoning: '**Planning the lookup**\n\nI should call `search_flights` for the requested route.\n\n',
    signatures: [signatureIn('stream-json-array-thought-and-function-call.json', 1)],
    toolCalls: [call('call_0', 'search_flights', '{"from":"LIS","to":"OPO"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(45, 52, 0, 38) },
  },
  'stream-prompt-blocked.sse': {
    ...base,
    upstreamId: 'pB9QafW3Mo2zqtsP0Z-IiQ0',
    finish: { reason: 'content_filter', nativeReason: 'SAFETY', usage: usage(17, 0) },
  },
  'stream-truncated.sse': {
    ...base,
    upstreamId: 'Jt1QaYDvNMa1qtsPpI7o8Qc',
    text: 'The first step is to preheat the oven',
    error: { status: 502, type: 'provider_unavailable', retryable: true },
  },
  'stream-error-chunk.sse': {
    ...base,
    upstreamId: 'u41RaZrPB8W6qtsPlKOD6Qk',
    text: 'Here is a summary of',
    error: { status: 503, type: 'provider_overloaded', retryable: true },
  },
  'response-text.json': {
    ...base,
    upstreamId: 'dL1SadGzA4u1qtsPmYbWuQ0',
    text: 'Photosynthesis turns light, water and carbon dioxide into glucose and oxygen.',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(14, 111, 0, 96) },
  },
  'response-thoughts.json': {
    ...base,
    upstreamId: 'cM1TabHiKfyrqtsPzpLV0Q4',
    text: 'There are **3** letters "r" in "strawberry".',
    reasoning: '**Counting the letters**\n\nS-T-R-A-W-B-E-R-R-Y has three r characters.\n',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(19, 225, 0, 212) },
  },
  'response-function-call.json': {
    ...base,
    upstreamId: 'fP1Uad6vIbmwxs0Pq9ip-QU',
    signatures: [signatureIn('response-function-call.json', 0)],
    toolCalls: [call('call_0', 'convert_currency', '{"amount":250,"from":"EUR","to":"JPY"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(33, 426, 0, 404) },
  },
  'response-parallel-function-calls.json': {
    ...base,
    upstreamId: 'Hq1VafqGL9KjqtsP4byKgAs',
    signatures: [signatureIn('response-parallel-function-calls.json', 0)],
    toolCalls: [call('call_0', 'get_time', '{"timezone":"Europe/Lisbon"}'), call('call_1', 'get_time', '{"timezone":"Asia/Tokyo"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(52, 98, 0, 70) },
  },
  'response-max-tokens.json': {
    ...base,
    upstreamId: 'Sb1WaY6XFeKpqtsPjK2f4Qs',
    text: 'The French Revolution began in 1789 when',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(10, 54, 0, 44) },
  },
  'response-max-tokens-no-parts.json': {
    ...base,
    upstreamId: 'gR1XaZrNLNG-qtsPmv2L-Qw',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(21, 16, 0, 16) },
  },
  'response-safety-block.json': {
    ...base,
    upstreamId: 'aT1YaYi7D4WrqtsPzMmJ8A4',
    finish: { reason: 'content_filter', nativeReason: 'SAFETY', usage: usage(22, 0) },
  },
  'response-prompt-blocked.json': {
    ...base,
    upstreamId: 'rM1ZaaKCG7mxqtsPl8C46Ak',
    finish: { reason: 'content_filter', nativeReason: 'PROHIBITED_CONTENT', usage: usage(31, 0) },
  },
  'response-stop-sequence.json': {
    ...base,
    upstreamId: 'Wd1aaf2mOJiwqtsPsf6T0Q0',
    text: 'Step 1: rinse the rice. ',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(27, 9) },
  },
  'response-malformed-function-call.json': {
    ...base,
    upstreamId: 'Ee1baYKNO5qyqtsP2Y-T6Q4',
    finish: { reason: 'stop', nativeReason: 'MALFORMED_FUNCTION_CALL', usage: usage(61, 47, 0, 47) },
  },
  'error-400-api-key-invalid.json': { rejects: { status: 502, retryable: true } },
  'error-400-context-length.json': { rejects: { status: 400, retryable: false } },
  'error-400-failed-precondition.json': { rejects: { status: 502, retryable: true } },
  'error-400-invalid-argument.json': { rejects: { status: 400, retryable: false } },
  'error-403-permission-denied.json': { rejects: { status: 502, retryable: true } },
  'error-404.json': { rejects: { status: 404, retryable: false } },
  'error-429.json': { rejects: { status: 429, retryable: true } },
  'error-500-internal.json': { rejects: { status: 502, retryable: true } },
  'error-503-unavailable.json': { rejects: { status: 503, retryable: true } },
};

/** Stream requests for stream fixtures, JSON requests for the rest. */
const streams = (name: string): boolean => name.startsWith('stream-');

describe('Gemini adapter over loopback HTTP', () => {
  it('posts the converted body to streamGenerateContent?alt=sse with the key and provider headers', async () => {
    const server = await upstream(() => fixtureReply('stream-text.sse'));
    const endpoint = geminiEndpoint({ baseUrl: '', headers: { 'x-goog-user-project': 'switchyard-test' } });
    const providerCall = geminiCall(hello, { endpoint: { ...endpoint, provider: { ...endpoint.provider, baseUrl: `${server.url}/` } } });
    await collect(await geminiAdapter.send(providerCall));
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request?.headers.get('x-goog-api-key')).toBe('test-gemini-key');
    expect(request?.headers.get('x-goog-user-project')).toBe('switchyard-test');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(convertRequest(providerCall));
  });

  it('posts to generateContent for a JSON reply, and sends no key header without a credential', async () => {
    const server = await upstream(() => fixtureReply('response-text.json'));
    await collect(await geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }), stream: false, credential: undefined })));
    expect(server.requests[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(server.requests[0]?.headers.has('x-goog-api-key')).toBe(false);
  });

  it('has an expectation for every fixture of its own', () => {
    expect(fixtureFiles(ownFixtures).filter((name) => expected[name] === undefined)).toEqual([]);
  });

  it.each(fixtureFiles(ownFixtures))('replays %s', async (name) => {
    const server = await upstream(() => fixtureReply(name));
    const want = expected[name];
    const sent = geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }), stream: streams(name) }));
    if (want === undefined) throw new Error(`no expectation for ${name}`);
    if ('rejects' in want) {
      const error = await sent.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ ...want.rejects, provider: 'Google AI Studio' });
      return;
    }
    const events = await collect(await sent);
    expectWellFormed(events);
    expect(summarize(events)).toEqual(want);
  });

  it.each([
    ['stream-thoughts.sse', 3],
    ['stream-function-call-partial-args-vertex.sse', 7],
    ['stream-usage-metadata.sse', 1],
  ])('gives the same events when %s arrives in %i-byte writes (CRLF and UTF-8 split)', async (name, size) => {
    const server = await upstream(() => fixtureReply(name, size));
    const events = await collect(await geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }) })));
    expect(summarize(events)).toEqual(expected[name]);
  });

  it('ends with a retryable error event, and no finish, when the connection drops mid-stream', async () => {
    const frames = readFixture(ownFixtures, 'stream-text.sse').toString('utf8').split('\r\n\r\n');
    // A raw server, so the cut comes only once the first frames are on the wire.
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`${frames[0]}\r\n\r\n${frames[1]}\r\n\r\n`, () => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = geminiEndpoint({ baseUrl: `http://127.0.0.1:${port}` });
      const events = await collect(await geminiAdapter.send(geminiCall(hello, { endpoint })));
      expectWellFormed(events);
      expect(summarize(events)).toMatchObject({
        text: 'Lisbon sits on seven hills overlooking the Tagus estuary, and its trams',
        error: { status: 502, type: 'provider_unavailable', retryable: true },
      });
      expect(events.some((event) => event.type === 'finish')).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports an unreadable chunk as a retryable error', async () => {
    const server = await upstream(() => ({
      status: 200,
      contentType: 'text/event-stream',
      chunks: [new TextEncoder().encode('data: {"candidates": [\r\n\r\n')],
    }));
    const events = await collect(await geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }) })));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: { status: 502, retryable: true } });
  });

  it('cancels the upstream body when the consumer stops reading', async () => {
    const frames = readFixture(ownFixtures, 'stream-text.sse').toString('utf8').split('\r\n\r\n');
    const server = await upstream(() => ({
      status: 200,
      contentType: 'text/event-stream',
      chunks: [new TextEncoder().encode(`${frames[0]}\r\n\r\n`)],
      after: 'hang',
    }));
    const events = await geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }) }));
    for await (const event of events) {
      if (event.type === 'text') break;
    }
    await server.cancelled;
    expect(server.requests).toHaveLength(1);
  });

  it('rejects with a retryable 502 when the provider cannot be reached', async () => {
    const server = await startUpstream(() => fixtureReply('stream-text.sse'));
    await server.close();
    const sent = geminiAdapter.send(geminiCall(hello, { endpoint: geminiEndpoint({ baseUrl: server.url }) }));
    await expect(sent).rejects.toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
  });

  it('rejects a request it cannot convert before calling the provider', async () => {
    const server = await upstream(() => fixtureReply('stream-text.sse'));
    const bad = { messages: [{ role: 'tool', tool_call_id: 'nowhere', content: 'x' }] };
    await expect(geminiAdapter.send(geminiCall(bad, { endpoint: geminiEndpoint({ baseUrl: server.url }) }))).rejects.toMatchObject({
      status: 400,
      retryable: false,
    });
    expect(server.requests).toHaveLength(0);
  });
});
