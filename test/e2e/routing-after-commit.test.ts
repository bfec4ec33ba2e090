// After the commit point (DESIGN decisions 7 and 9): an upstream that drops
// mid-stream ends the client's stream with one error chunk and [DONE], billed
// for what was delivered; a client that goes away mid-stream closes the
// upstream connection and is billed only for what was generated.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

const DELIVERED = 5;
/** Both models cost 0.5 µ$ per prompt token and 1.5 µ$ per completion token: the bill rounds up. */
const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '0.5', completion: '1.5' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens', 'temperature'],
});
const expectedMicros = (promptTokens: number, completionTokens: number): number => Math.ceil((promptTokens * 5 + completionTokens * 15) / 10);

const catalog = {
  providers: {
    dropping: {
      name: 'Dropping',
      kind: 'openai',
      simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, failure: { mode: 'drop', afterTokens: DELIVERED } },
    },
    // 50 tokens a second for 10 s: plenty of time to walk away mid-stream.
    slow: { name: 'Slow', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 50, outputTokens: 500 } },
    // Thinks for a minute before its first token: the client gives up first.
    waiting: { name: 'Waiting', kind: 'openai', simulator: { firstTokenMs: 60_000, tokensPerSecond: 0, outputTokens: 12 } },
  },
  models: [
    { id: 'test/dropping', name: 'Dropping', created: 1767225600, endpoints: [endpoint('dropping')] },
    { id: 'test/slow', name: 'Slow', created: 1767225600, endpoints: [endpoint('slow')] },
    { id: 'test/waiting', name: 'Waiting', created: 1767225600, endpoints: [endpoint('waiting')] },
  ],
};

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: catalog });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const request = (model: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true });

function post(body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body,
    signal,
  });
}

/** SSE frames as sent: the text between blank lines. */
const framesOf = (text: string): string[] => text.split('\n\n').filter((frame) => frame !== '');
const payloadOf = (frame: string): Record<string, unknown> => JSON.parse(frame.replace(/^data: /, '')) as Record<string, unknown>;
const contentOf = (payload: Record<string, unknown>): string | undefined =>
  (payload.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content;

async function recordOf(id: string) {
  const records = (await usageRecords(gateway)).filter((record) => record.id === id);
  expect(records).toHaveLength(1);
  return records[0] as NonNullable<(typeof records)[0]>;
}

describe('an upstream that drops mid-stream', () => {
  it('gives the client the delivered tokens, one error chunk and [DONE]', async () => {
    const response = await post(request('test/dropping'));
    const frames = framesOf(await response.text());

    expect(response.status).toBe(200);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const payloads = frames.slice(0, -1).map(payloadOf);
    const content = payloads.slice(0, -1);
    expect(content).toHaveLength(DELIVERED);
    for (const payload of content) {
      expect(contentOf(payload)).toMatch(/\S/);
      expect(payload).toMatchObject({ provider: 'Dropping', model: 'test/dropping', choices: [{ finish_reason: null }] });
      expect(payload.error).toBeUndefined();
    }
    const last = payloads.at(-1) as Record<string, unknown>;
    expect(last).toMatchObject({
      id: response.headers.get('x-generation-id'),
      provider: 'Dropping',
      error: { code: 502 },
      choices: [{ finish_reason: 'error' }],
    });
    expect(JSON.stringify(last)).not.toContain('Simulated connection drop');
  });

  it('bills exactly the delivered tokens at the endpoint’s prices', async () => {
    const before = await balance(gateway);
    const response = await post(request('test/dropping'));
    await response.text();
    const record = await recordOf(response.headers.get('x-generation-id') ?? '');

    expect(record).toMatchObject({ provider: 'Dropping', finish_reason: 'error', completion_tokens: DELIVERED, cancelled: false, fallback: false });
    expect(record.prompt_tokens).toBeGreaterThan(0);
    expect(record.cost_micros).toBe(expectedMicros(record.prompt_tokens, DELIVERED));
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });
});

describe('a client that goes away before the first token', () => {
  it.each([true, false])('is recorded as cancelled, with nothing billed (stream: %s)', async (stream) => {
    const before = await balance(gateway);
    const { aborted, requests } = gateway.simulator.stats('waiting');
    const controller = new AbortController();
    const body = JSON.stringify({ model: 'test/waiting', messages: [{ role: 'user', content: 'Hello?' }], stream });
    const answer = post(body, controller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => expect(gateway.simulator.stats('waiting').requests).toBe(requests + 1), { timeout: 5_000, interval: 10 });
    controller.abort();

    expect(await answer).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(gateway.simulator.stats('waiting').aborted).toBe(aborted + 1), { timeout: 5_000, interval: 10 });
    const records = (await usageRecords(gateway)).filter((record) => record.streamed === stream && record.model_requested === 'test/waiting');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ provider: null, cancelled: true, status: 499, completion_tokens: 0, cost_micros: 0 });
    expect(await balance(gateway)).toBe(before);
  });
});

describe('a client that goes away mid-stream', () => {
  /** Until the simulator has seen `count` abandoned replies from `slow`, bounded in time. */
  const abortedReaches = (count: number): Promise<void> =>
    vi.waitFor(() => expect(gateway.simulator.stats('slow').aborted).toBe(count), { timeout: 5_000, interval: 10 });

  /** The simulator sends token n at n × 20 ms: an upper bound on what it can have sent in `elapsedMs`. */
  const sentWithin = (elapsedMs: number): number => Math.floor(elapsedMs / 20) + 1;

  async function expectCancelledBill(id: string, received: number, startedAt: number, before: number): Promise<void> {
    const record = await recordOf(id);
    const elapsed = performance.now() - startedAt;
    expect(record).toMatchObject({ provider: 'Slow', model: 'test/slow', cancelled: true, status: 499 });
    expect(record.completion_tokens).toBeGreaterThanOrEqual(received);
    expect(record.completion_tokens).toBeLessThanOrEqual(sentWithin(elapsed));
    expect(record.completion_tokens).toBeLessThan(500);
    expect(record.cost_micros).toBe(expectedMicros(record.prompt_tokens, record.completion_tokens));
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  }

  it('closes the upstream connection when the fetch is aborted, and bills what was generated', async () => {
    const before = await balance(gateway);
    const { aborted } = gateway.simulator.stats('slow');
    const startedAt = performance.now();
    const controller = new AbortController();
    const response = await post(request('test/slow'), controller.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/"content":"[^"]/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before three tokens');
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    // Only whole frames: the last read may have ended inside one.
    const received = framesOf(text.slice(0, text.lastIndexOf('\n\n'))).map(payloadOf).filter((payload) => contentOf(payload) !== undefined && contentOf(payload) !== '').length;

    await abortedReaches(aborted + 1);
    await expectCancelledBill(response.headers.get('x-generation-id') ?? '', received, startedAt, before);
  });

  it('closes the upstream connection when a JSON request is abandoned, and records it as cancelled', async () => {
    const before = await balance(gateway);
    const { aborted, requests } = gateway.simulator.stats('slow');
    const startedAt = performance.now();
    const controller = new AbortController();
    const body = JSON.stringify({ model: 'test/slow', messages: [{ role: 'user', content: 'Tell me a long story' }] });
    const answer = post(body, controller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => expect(gateway.simulator.stats('slow').requests).toBe(requests + 1), { timeout: 5_000, interval: 10 });
    controller.abort();

    expect(await answer).toBeInstanceOf(Error);
    await abortedReaches(aborted + 1);
    const records = (await usageRecords(gateway)).filter((record) => !record.streamed && record.model_requested === 'test/slow');
    expect(records).toHaveLength(1);
    const record = records[0] as NonNullable<(typeof records)[0]>;
    // The client may leave just before or just after the first token committed the attempt.
    expect([null, 'Slow']).toContain(record.provider);
    expect(record).toMatchObject({ cancelled: true, status: 499 });
    expect(record.completion_tokens).toBeLessThanOrEqual(sentWithin(performance.now() - startedAt));
    expect(record.cost_micros).toBe(expectedMicros(record.prompt_tokens, record.completion_tokens));
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });

  it('closes the upstream connection when the openai stream is aborted', async () => {
    const before = await balance(gateway);
    const { aborted } = gateway.simulator.stats('slow');
    const startedAt = performance.now();
    const stream = await client.chat.completions.create({
      model: 'test/slow',
      messages: [{ role: 'user', content: 'Tell me a long story' }],
      stream: true,
    });
    let received = 0;
    let id = '';
    for await (const chunk of stream) {
      id = chunk.id;
      if ((chunk.choices[0]?.delta.content ?? '') !== '') received += 1;
      if (received === 3) stream.controller.abort();
    }

    await abortedReaches(aborted + 1);
    await expectCancelledBill(id, received, startedAt, before);
  });
});
