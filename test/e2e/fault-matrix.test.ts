// The fault matrix of issue 21, end to end: for each way a provider fails
// before its first token, and for each shape of request (a stream; a short
// JSON request, asked of the upstream as one JSON reply; a long JSON request,
// streamed upstream and assembled), the official `openai` client gets the
// healthy provider's answer, and GET /generation lists the failed attempt as
// a user would read it, then the healthy one. Each fault is its own provider
// (a path of one real loopback server, or a port nobody listens on), so no
// breaker opens across cases; silence is bounded by a small first-event bound.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';

/** The first-event bound in this file: long enough for a loaded machine, short enough to wait for six times. */
const BOUND_MS = 1_000;

type Fault = (request: IncomingMessage, response: ServerResponse, streamed: boolean) => void;

const faults: Record<string, Fault> = {
  reset: (request) => request.socket.destroy(),
  'destroyed-after-headers': (_request, response, streamed) => {
    response.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' });
    response.flushHeaders();
    setImmediate(() => response.destroy());
  },
  'status-500': (_request, response) => response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"internal"}}'),
  'status-503': (_request, response) => response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"unavailable"}}'),
  'status-429': (_request, response) =>
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"message":"slow down"}}'),
  garbage: (_request, response, streamed) =>
    response.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' }).end('<html>not what was asked for}{\n\n'),
  'closed-before-first-chunk': (_request, response, streamed) => response.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' }).end(),
  'headers-then-silence': (_request, response, streamed) => {
    response.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' });
    response.flushHeaders();
  },
  'nothing-at-all': () => undefined,
};

let faultServer: Server;
let refusedUrl: string;
let gateway: LocalGateway;
let client: OpenAI;

/** A port that was just listened on and let go: connecting to it is refused. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '1' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens'],
});

beforeAll(async () => {
  faultServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const fault = faults[(request.url ?? '').split('/')[1] ?? ''];
      if (fault === undefined) throw new Error(`no fault at ${request.url ?? ''}`);
      fault(request, response, (JSON.parse(body) as { stream?: boolean }).stream === true);
    });
  });
  await new Promise<void>((resolve) => faultServer.listen(0, '127.0.0.1', resolve));
  const faultBase = `http://127.0.0.1:${(faultServer.address() as AddressInfo).port}`;
  refusedUrl = `http://127.0.0.1:${await refusedPort()}/v1`;
  const providers: Record<string, unknown> = {
    refused: { name: 'Fault refused', kind: 'openai', baseUrl: refusedUrl },
    healthy: { name: 'Healthy', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 6 } },
  };
  for (const name of Object.keys(faults)) providers[name] = { name: `Fault ${name}`, kind: 'openai', baseUrl: `${faultBase}/${name}/v1` };
  gateway = await startTestGateway({
    settings: { attempts: { firstEventTimeoutMs: BOUND_MS, backoffBaseMs: 1, backoffMaxMs: 1 } as never },
    catalogDocument: {
      providers,
      models: [{ id: 'test/faulty', name: 'A fault, then healthy', created: 1767225600, endpoints: Object.keys(providers).map(endpoint) }],
    } as never,
  });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  faultServer.closeAllConnections();
  await new Promise<void>((resolve) => faultServer.close(() => resolve()));
});

interface GenerationRecord {
  provider_name: string;
  provider_responses: { provider_name: string; status: number; error_code: string | null }[];
}

async function generation(id: string): Promise<GenerationRecord> {
  await gateway.idle();
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: GenerationRecord }).data;
}

/** What the first attempt says, as GET /generation shows it: [status, error_code]. */
const expected: Record<string, [number, string]> = {
  refused: [502, 'provider_unavailable'],
  reset: [502, 'provider_unavailable'],
  'destroyed-after-headers': [502, 'provider_unavailable'],
  'status-500': [500, 'provider_unavailable'],
  'status-503': [503, 'provider_overloaded'],
  'status-429': [429, 'rate_limit_exceeded'],
  garbage: [502, 'provider_unavailable'],
  'closed-before-first-chunk': [502, 'provider_unavailable'],
  'headers-then-silence': [408, 'timeout'],
  'nothing-at-all': [408, 'timeout'],
};

const shapes = {
  streamed: { stream: true },
  'JSON (short, one JSON reply upstream)': { stream: false, max_tokens: 20 },
  'JSON (long, streamed upstream and assembled)': { stream: false, max_tokens: 2_000 },
} as const;

const cases = Object.keys(expected).flatMap((fault) => Object.keys(shapes).map((shape) => [fault, shape] as [string, keyof typeof shapes]));
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

describe('each fault kind × streamed and JSON fails over to the healthy provider', () => {
  it.each(cases)('%s, %s', async (fault, shape) => {
    const body = { model: 'test/faulty', messages, ...shapes[shape], ...({ provider: { order: [fault, 'healthy'], allow_fallbacks: true } } as object) };
    let id: string;
    let text: string;
    let provider: unknown;
    let header: string | null;
    if (shapes[shape].stream) {
      const { data: stream, response } = await client.chat.completions.create({ ...body, stream: true }).withResponse();
      text = '';
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        provider = (chunk as unknown as { provider?: string }).provider;
      }
      id = response.headers.get('x-generation-id') ?? '';
      header = response.headers.get('x-switchyard-provider');
    } else {
      const { data: completion, response } = await client.chat.completions.create({ ...body, stream: false }).withResponse();
      text = completion.choices[0]?.message.content ?? '';
      provider = (completion as unknown as { provider?: string }).provider;
      id = response.headers.get('x-generation-id') ?? '';
      header = response.headers.get('x-switchyard-provider');
    }

    expect(text.length).toBeGreaterThan(0);
    expect(provider).toBe('Healthy');
    expect(header).toBe('Healthy');
    const record = await generation(id);
    expect(record.provider_name).toBe('Healthy');
    expect(record.provider_responses.map((attempt) => [attempt.provider_name, attempt.status, attempt.error_code])).toEqual([
      [`Fault ${fault}`, ...(expected[fault] ?? [])],
      ['Healthy', 200, null],
    ]);
  });
});
