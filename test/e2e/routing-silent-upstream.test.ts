// Failover bounded the same for every request (issue 21): a provider that
// accepts and then goes silent, before its headers or after them, is
// abandoned within the first-event bound whether the caller streams or not,
// and the next endpoint answers; a long but live reply still completes. And
// a truthful record of who gave up: a client that leaves while an attempt is
// in flight is recorded as the client leaving (499 `client_closed`), not as
// the provider timing out, and the provider's health is not charged for it.
// Real loopback upstreams; a small bound (settings), no sleeps.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

/** The first-event bound in these tests: long enough for a loaded machine, short enough to wait for. */
const BOUND_MS = 1_500;

interface Upstream {
  url: string;
  /** Resolves with each request as it arrives (its body read). */
  arrivals: IncomingMessage[];
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startUpstream(handle: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<Upstream> {
  const arrivals: IncomingMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      arrivals.push(request);
      for (const waiter of waiters.filter((entry) => entry.count <= arrivals.length)) waiter.resolve();
      handle(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    arrivals,
    arrived: (count) => (arrivals.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const chunk = (content: string | null, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-slow', object: 'chat.completion.chunk', model: 'slow', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

/** Live but slow: each word a fifth of the bound after the last, the whole reply well past the bound. */
function slowButLive(_request: IncomingMessage, response: ServerResponse, body: string): void {
  const words = ['Thinking', ' hard', ' for', ' a', ' long', ' while', ' then', ' answering', '.'];
  const streamed = (JSON.parse(body) as { stream?: boolean }).stream === true;
  if (!streamed) {
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"this test asks for a stream"}}');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let next = 0;
  const timer = setInterval(() => {
    if (next < words.length) {
      response.write(chunk(words[next] ?? ''));
      next += 1;
      return;
    }
    clearInterval(timer);
    response.end(`${chunk(null, 'stop')}data: [DONE]\n\n`);
  }, BOUND_MS / 5);
  response.on('close', () => clearInterval(timer));
}

let headersThenNothing: Upstream;
let nothingAtAll: Upstream;
let slow: Upstream;
let gateway: LocalGateway;

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '1' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens'],
});
const healthy = { name: 'Healthy', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 6 } };

beforeAll(async () => {
  headersThenNothing = await startUpstream((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.flushHeaders();
  });
  nothingAtAll = await startUpstream(() => undefined);
  slow = await startUpstream(slowButLive);
  gateway = await startTestGateway({
    settings: { attempts: { firstEventTimeoutMs: BOUND_MS, backoffBaseMs: 1, backoffMaxMs: 1 } as never },
    catalogDocument: {
      providers: {
        'headers-then-nothing': { name: 'Headers Then Nothing', kind: 'openai', baseUrl: headersThenNothing.url },
        'nothing-at-all': { name: 'Nothing At All', kind: 'openai', baseUrl: nothingAtAll.url },
        slow: { name: 'Slow But Live', kind: 'openai', baseUrl: slow.url },
        healthy,
      },
      models: [
        {
          id: 'test/silent',
          name: 'Silent first',
          created: 1767225600,
          endpoints: [endpoint('headers-then-nothing'), endpoint('nothing-at-all'), endpoint('slow'), endpoint('healthy')],
        },
      ],
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([headersThenNothing.close(), nothingAtAll.close(), slow.close()]);
});

const post = (body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify({ model: 'test/silent', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    ...(signal === undefined ? {} : { signal }),
  });

async function generation(id: string): Promise<{ provider_name: string; provider_responses: { provider_name: string; status: number; error_code: string | null }[] }> {
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: never }).data;
}

const attemptsOf = async (id: string) => (await generation(id)).provider_responses.map((attempt) => [attempt.provider_name, attempt.status, attempt.error_code]);

const silentThenHealthy = [
  ['Headers Then Nothing', 408, 'timeout'],
  ['Nothing At All', 408, 'timeout'],
  ['Healthy', 200, null],
];
const order = (...providers: string[]) => ({ provider: { order: providers } });

describe('a provider that goes silent is abandoned at the first-event bound, streamed or not', () => {
  it.each([
    ['a stream', { stream: true }],
    ['a JSON request asked upstream as JSON (a short reply)', { max_tokens: 20 }],
    ['a JSON request asked upstream as a stream (a long reply)', { max_tokens: 2_000 }],
  ])('%s fails over from headers-then-nothing and nothing-at-all to a healthy provider', async (_name, shape) => {
    const response = await post({ ...shape, ...order('headers-then-nothing', 'nothing-at-all', 'healthy') });
    expect(response.status).toBe(200);
    await response.text();

    const id = response.headers.get('x-generation-id') ?? '';
    expect(await attemptsOf(id)).toEqual(silentThenHealthy);
    expect((await generation(id)).provider_name).toBe('Healthy');
  });

  it('lets a slow but live reply run past the bound and complete (a JSON request, streamed upstream)', async () => {
    const response = await post({ max_tokens: 2_000, ...order('slow', 'healthy') });
    const completion = (await response.json()) as { choices: { message: { content: string }; finish_reason: string }[] };

    expect(response.status).toBe(200);
    expect(completion.choices[0]).toMatchObject({ message: { content: 'Thinking hard for a long while then answering.' }, finish_reason: 'stop' });
    expect(await attemptsOf(response.headers.get('x-generation-id') ?? '')).toEqual([['Slow But Live', 200, null]]);
  });
});

describe('a client that leaves while an attempt is in flight', () => {
  it('is recorded as the client leaving, and the provider health is not charged', async () => {
    const silentEndpoint = gateway.catalog.endpoints.find((entry) => entry.provider.name === 'Nothing At All');
    if (silentEndpoint === undefined) throw new Error('no silent endpoint');
    const health = createHealthStore(gateway.table);
    await gateway.idle();
    const failuresBefore = (await health.get(silentEndpoint.id, Date.now()))?.failures.length ?? 0;
    const arrivedBefore = nothingAtAll.arrivals.length;

    const controller = new AbortController();
    const pending = post({ max_tokens: 20, ...order('nothing-at-all', 'healthy') }, controller.signal).catch((error: unknown) => error);
    await nothingAtAll.arrived(arrivedBefore + 1);
    controller.abort();
    await pending;

    // The gateway learns of the abort when the socket closes: wait for the record that follows.
    const record = await vi.waitFor(
      async () => {
        const found = (await usageRecords(gateway)).find((entry) => entry.attempts.length === 1 && entry.attempts[0]?.provider === 'Nothing At All');
        if (found === undefined) throw new Error('no record yet');
        return found;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(record).toMatchObject({ cancelled: true, status: 499 });
    expect(await attemptsOf(record.id)).toEqual([['Nothing At All', 499, 'client_closed']]);
    await gateway.idle();
    expect((await health.get(silentEndpoint.id, Date.now()))?.failures.length ?? 0).toBe(failuresBefore);
  });
});
