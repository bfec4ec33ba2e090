import { afterEach, describe, expect, it } from 'vitest';
import { createAdapter as createGeminiAdapter } from '../../../lib/providers/gemini/index.ts';
import { convertRequest } from '../../../lib/providers/gemini/request-conversion.ts';
import { splitEvery, startLoopbackUpstream } from '../../support/loopback-upstream.ts';
import {
  collect,
  contentTypeFor,
  expectWellFormed,
  geminiCall,
  geminiEndpoint,
  ownFixtures,
  readFixture,
  startUpstream,
  statusOf,
  summarize,
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
  return { status: statusOf(name), contentType: contentTypeFor(name), chunks: chunkSize === undefined ? [bytes] : splitEvery(bytes, chunkSize) };
};

const hello = { messages: [{ role: 'user', content: 'Hello' }] };



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

  it('ends with a retryable error event, and no finish, when the connection drops mid-stream', async () => {
    const frames = readFixture(ownFixtures, 'stream-text.sse').toString('utf8').split('\r\n\r\n');
    // The first frames on the wire, then the connection destroyed.
    const server = await startLoopbackUpstream({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      pieces: [new TextEncoder().encode(`${frames[0]}\r\n\r\n${frames[1]}\r\n\r\n`)],
      then: 'drop',
    });
    try {
      const endpoint = geminiEndpoint({ baseUrl: server.url });
      const events = await collect(await geminiAdapter.send(geminiCall(hello, { endpoint })));
      expectWellFormed(events);
      expect(summarize(events)).toMatchObject({
        text: 'Lisbon sits on seven hills overlooking the Tagus estuary, and its trams',
        error: { status: 502, type: 'provider_unavailable', retryable: true },
      });
      expect(events.some((event) => event.type === 'finish')).toBe(false);
    } finally {
      await server.close();
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
