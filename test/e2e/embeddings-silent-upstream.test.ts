// /embeddings failover bounded as chat's is (issue 21): an embeddings upstream
// that accepts and then goes silent, before its headers or after them, is
// abandoned within the first-event bound and the next endpoint answers; a
// reply that is arriving, however slowly, is not cut. Real loopback upstreams,
// the official openai client, a small bound (settings), no sleeps.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { simulatedVector } from '../../lib/providers/simulator/embeddings.ts';
import { startTestGateway } from '../support/local-gateway.ts';

/** The first-event bound in this file: long enough for a loaded machine, short enough to wait for. */
const BOUND_MS = 1_500;
const DIMENSIONS = 8;
/** The length of the simulator's vectors. */
const SIMULATED_DIMENSIONS = 256;
/** The silent (or slow) endpoint first, then the healthy one. */
const order = (first: string) => ({ provider: { order: [first, 'healthy'] } }) as object;

/** An OpenAI-wire embeddings reply, written a few bytes at a time, each piece a fifth of the bound after the last: the whole well past the bound. */
function trickle(response: ServerResponse): void {
  const text = JSON.stringify({
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: Array.from({ length: DIMENSIONS }, (_, index) => (index + 1) / 10) }],
    model: 'slow-embed',
    usage: { prompt_tokens: 3, total_tokens: 3 },
  });
  const pieces = 8;
  const size = Math.ceil(text.length / pieces);
  response.writeHead(200, { 'content-type': 'application/json' });
  let next = 0;
  const timer = setInterval(() => {
    const piece = text.slice(next * size, (next + 1) * size);
    next += 1;
    if (next < pieces) response.write(piece);
    else {
      clearInterval(timer);
      response.end(piece);
    }
  }, BOUND_MS / 5);
  response.on('close', () => clearInterval(timer));
}

const behaviours: Record<string, (response: ServerResponse) => void> = {
  'headers-then-silence': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.flushHeaders();
  },
  'nothing-at-all': () => undefined,
  slow: trickle,
};

let upstream: Server;
let gateway: LocalGateway;
let client: OpenAI;

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-embed`,
  pricing: { prompt: '1', completion: '0' },
  contextLength: 8192,
  maxCompletionTokens: 1,
  supportedParameters: [],
  embedding: { dimensions: DIMENSIONS },
});

beforeAll(async () => {
  upstream = createServer((request, response) => {
    request.resume();
    request.on('end', () => behaviours[(request.url ?? '').split('/')[1] ?? '']?.(response));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const providers: Record<string, unknown> = { healthy: { name: 'Healthy Embed', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 1 } } };
  for (const name of Object.keys(behaviours)) providers[name] = { name: `Embed ${name}`, kind: 'openai', baseUrl: `${base}/${name}/v1` };
  gateway = await startTestGateway({
    settings: { attempts: { firstEventTimeoutMs: BOUND_MS, backoffBaseMs: 1, backoffMaxMs: 1 } as never },
    catalogDocument: {
      providers,
      models: Object.keys(behaviours).map((name) => ({ id: `test/${name}`, name: `${name}, then healthy`, created: 1767225600, endpoints: [endpoint(name), endpoint('healthy')] })),
    } as never,
  });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function attemptsOf(id: string): Promise<unknown[]> {
  await gateway.idle();
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } });
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { provider_responses: { provider_name: string; status: number; error_code: string | null }[] } };
  return data.provider_responses.map((attempt) => [attempt.provider_name, attempt.status, attempt.error_code]);
}

describe('an embeddings upstream that goes silent is abandoned at the first-event bound', () => {
  it.each(['headers-then-silence', 'nothing-at-all'])('%s falls over to a healthy embeddings endpoint', async (name) => {
    const { data: reply, response } = await client.embeddings.create({ model: `test/${name}`, input: 'Hello there', encoding_format: 'float', ...order(name) }).withResponse();

    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-provider')).toBe('Healthy Embed');
    expect(reply.data[0]?.embedding).toEqual(simulatedVector('Hello there', SIMULATED_DIMENSIONS));
    expect(await attemptsOf(response.headers.get('x-generation-id') ?? '')).toEqual([
      [`Embed ${name}`, 408, 'timeout'],
      ['Healthy Embed', 200, null],
    ]);
  });

  it('lets a reply that is arriving slowly run past the bound and complete', async () => {
    const { data: reply, response } = await client.embeddings.create({ model: 'test/slow', input: 'Hello there', encoding_format: 'float', ...order('slow') }).withResponse();

    expect(response.headers.get('x-switchyard-provider')).toBe('Embed slow');
    expect(reply.data[0]?.embedding.map((value) => Math.round(value * 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await attemptsOf(response.headers.get('x-generation-id') ?? '')).toEqual([['Embed slow', 200, null]]);
  });
});
