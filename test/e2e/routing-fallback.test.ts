// Fallback before the commit point (DESIGN decision 7), end to end with the
// official openai client: every retryable failure of a model's first
// provider hands the request to the next one, and the client sees one clean
// reply from it; past a model's last provider the next of `models` serves;
// a caller's mistake (400) is not retried.
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

const params = ['temperature', 'max_tokens', 'max_completion_tokens', 'stop', 'seed'];
const endpoint = (provider: string, prices: [string, string] = ['1', '2']) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: prices[0], completion: prices[1] },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: params,
});
const simulated = (name: string, failure?: Record<string, unknown>) => ({
  name,
  kind: 'openai',
  simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...(failure === undefined ? {} : { failure }) },
});

/** Each failing provider, the status its attempt is recorded with, and the error type. */
const failures = [
  { provider: 'throttled', name: 'Throttled', failure: { mode: 'status', status: 429, retryAfterSeconds: 1 }, status: 429, errorCode: 'rate_limit_exceeded' },
  { provider: 'broken', name: 'Broken', failure: { mode: 'status', status: 500 }, status: 500, errorCode: 'provider_unavailable' },
  { provider: 'unavailable', name: 'Unavailable', failure: { mode: 'status', status: 503 }, status: 503, errorCode: 'provider_overloaded' },
  { provider: 'overloaded', name: 'Overloaded', failure: { mode: 'status', status: 529 }, status: 529, errorCode: 'provider_overloaded' },
  { provider: 'stalled', name: 'Stalled', failure: { mode: 'stall' }, status: 408, errorCode: 'timeout' },
  { provider: 'error-first', name: 'Error First', failure: { mode: 'error-event' }, status: 500, errorCode: 'provider_unavailable' },
] as const;
/** Not a simulator: a provider whose base URL is a loopback port nobody listens on. */
const refused = { provider: 'refused', name: 'Refused', status: 502, errorCode: 'provider_unavailable' } as const;
const cases = [...failures, refused];

function catalog(closedPort: number): unknown {
  return {
    providers: {
      healthy: simulated('Healthy'),
      second: simulated('Second'),
      rejecting: simulated('Rejecting', { mode: 'status', status: 400 }),
      [refused.provider]: { name: refused.name, kind: 'openai', baseUrl: `http://127.0.0.1:${closedPort}/v1` },
      ...Object.fromEntries(failures.map((entry) => [entry.provider, simulated(entry.name, entry.failure)])),
    },
    models: [
      ...cases.map((entry) => ({ id: `test/${entry.provider}`, name: entry.name, created: 1767225600, endpoints: [endpoint(entry.provider), endpoint('healthy')] })),
      { id: 'test/rejecting', name: 'Rejecting', created: 1767225600, endpoints: [endpoint('rejecting'), endpoint('second')] },
      { id: 'test/all-down', name: 'All Down', created: 1767225600, endpoints: [endpoint('broken'), endpoint('unavailable')] },
      { id: 'test/spare', name: 'Spare', created: 1767225600, endpoints: [endpoint('second', ['3', '6'])] },
    ],
  };
}

/** A loopback port that refuses connections: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({
    catalogDocument: catalog(await closedPort()),
    settings: { attempts: { ...defaultSettings.attempts, firstEventTimeoutMs: 300, backoffBaseMs: 1, backoffMaxMs: 5 } },
  });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

type Extra = { provider?: { order: string[] }; models?: string[] };
const ask = { messages: [{ role: 'user' as const, content: 'Tell me a story' }] };
const providerOf = (value: unknown): unknown => (value as { provider?: unknown }).provider;

async function streamed(model: string, extra: Extra) {
  const stream = await client.chat.completions.create({ model, ...ask, stream: true, ...(extra as object) });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function expectOneCleanStream(chunks: OpenAI.ChatCompletionChunk[], model: string, provider: string): void {
  expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  for (const chunk of chunks) {
    expect(chunk.model).toBe(model);
    expect(providerOf(chunk)).toBe(provider);
    expect((chunk as unknown as { error?: unknown }).error).toBeUndefined();
  }
  const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
  expect(text.split(' ').filter((word) => word !== '')).toHaveLength(12);
  const finishes = chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason != null);
  expect(finishes).toEqual(['stop']);
  expect(chunks.at(-1)?.usage?.completion_tokens).toBe(12);
}

describe('fallback to the next provider before the commit point', () => {
  describe.each(cases)('when the first provider fails with $errorCode ($provider)', (entry) => {
    const model = `test/${entry.provider}`;
    const order = { provider: { order: [entry.provider, 'healthy'] } };

    it('streams one clean reply from the next provider, both attempts recorded', async () => {
      const tried = gateway.simulator.stats(entry.provider).requests;
      const chunks = await streamed(model, order);

      expectOneCleanStream(chunks, model, 'Healthy');
      if (entry !== refused) expect(gateway.simulator.stats(entry.provider).requests).toBe(tried + 1);
      const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === chunks[0]?.id);
      expect(record).toMatchObject({ provider: 'Healthy', status: 200, fallback: true, finish_reason: 'stop' });
      expect(record?.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.error_code])).toEqual([
        [entry.name, entry.status, entry.errorCode],
        ['Healthy', 200, null],
      ]);
    });

    it('answers a JSON request from the next provider', async () => {
      const completion = await client.chat.completions.create({ model, ...ask, ...(order as object) });

      expect(completion.model).toBe(model);
      expect(providerOf(completion)).toBe('Healthy');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(12);
    });
  });

  it('moves on to the next of `models` past the last provider of a model', async () => {
    const request = { models: ['test/all-down', 'test/spare'], provider: { order: ['broken', 'unavailable', 'second'] } };
    const chunks = await streamed('test/all-down', request);
    const completion = await client.chat.completions.create({ model: 'test/all-down', ...ask, ...(request as object) });

    expectOneCleanStream(chunks, 'test/spare', 'Second');
    expect(completion.model).toBe('test/spare');
    expect(providerOf(completion)).toBe('Second');
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === completion.id);
    expect(record).toMatchObject({ model_requested: 'test/all-down', model: 'test/spare', provider: 'Second', fallback: true });
    expect(record?.attempts.map((attempt) => [attempt.model, attempt.provider, attempt.status])).toEqual([
      ['test/all-down', 'Broken', 500],
      ['test/all-down', 'Unavailable', 503],
      ['test/spare', 'Second', 200],
    ]);
    // The fallback model's prices (3 and 6 $/M) are what the caller pays.
    const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
    expect(record?.cost_micros).toBe(usage.prompt_tokens * 3 + usage.completion_tokens * 6);
  });
});

describe('a caller’s mistake is not retried', () => {
  it.each([true, false])('an upstream 400 reaches the client and the second provider is never asked (stream: %s)', async (stream) => {
    const secondBefore = gateway.simulator.stats('second').requests;
    const rejectedBefore = gateway.simulator.stats('rejecting').requests;
    const request = { model: 'test/rejecting', ...ask, stream, provider: { order: ['rejecting', 'second'] } };

    const error: unknown = await client.chat.completions.create(request as OpenAI.ChatCompletionCreateParamsNonStreaming).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect(gateway.simulator.stats('rejecting').requests).toBe(rejectedBefore + 1);
    expect(gateway.simulator.stats('second').requests).toBe(secondBefore);
  });
});
