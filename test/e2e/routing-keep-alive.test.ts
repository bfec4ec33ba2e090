// While no attempt has committed, a streaming request gets a 200 and
// `: OPENROUTER PROCESSING` comments (DESIGN decision 9); SSE clients skip
// comments, so the openai client still reads the reply that follows.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '2' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens'],
});

const catalog = {
  providers: {
    thinking: { name: 'Thinking', kind: 'openai', simulator: { firstTokenMs: 300, tokensPerSecond: 0, outputTokens: 12 } },
    silent: { name: 'Silent', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, failure: { mode: 'stall' } } },
  },
  models: [
    { id: 'test/thinking', name: 'Thinking', created: 1767225600, endpoints: [endpoint('thinking')] },
    { id: 'test/silent', name: 'Silent', created: 1767225600, endpoints: [endpoint('silent')] },
  ],
};

const body = { model: 'test/thinking', messages: [{ role: 'user', content: 'Take your time' }], stream: true };

/** The raw stream's frames, split at the blank lines. */
async function rawFrames(gateway: LocalGateway, model = body.model): Promise<string[]> {
  const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify({ ...body, model }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return (await response.text()).split('\n\n').filter((frame) => frame !== '');
}

/** How many keep-alives open the stream; everything after them must be data frames ending in [DONE]. */
function leadingKeepAlives(frames: string[]): number {
  const firstData = frames.findIndex((frame) => frame.startsWith('data: '));
  expect(frames.slice(0, firstData).every((frame) => frame === ': OPENROUTER PROCESSING')).toBe(true);
  expect(frames.slice(firstData).every((frame) => frame.startsWith('data: '))).toBe(true);
  expect(frames.at(-1)).toBe('data: [DONE]');
  return firstData;
}

describe('the first keep-alive', () => {
  let gateway: LocalGateway;
  beforeAll(async () => {
    // The interval is far longer than the wait: only the first comment can appear.
    gateway = await startTestGateway({ catalogDocument: catalog, settings: { keepAlive: { firstAfterMs: 50, intervalMs: 60_000 } } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('is sent as soon as the 200 is, not one interval later', async () => {
    expect(leadingKeepAlives(await rawFrames(gateway))).toBe(1);
  });
});

describe('keep-alive comments before the first token', () => {
  let gateway: LocalGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      catalogDocument: catalog,
      settings: { keepAlive: { firstAfterMs: 50, intervalMs: 100 }, attempts: { ...defaultSettings.attempts, firstEventTimeoutMs: 600 } },
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('repeat every interval, before the chunks and [DONE]', async () => {
    // Sent at 50, 150 and 250 ms; the first token is due at 300 ms.
    expect(leadingKeepAlives(await rawFrames(gateway))).toBeGreaterThanOrEqual(2);
  });

  it('once sent, a failure of every attempt comes in-band: one error chunk, then [DONE]', async () => {
    const frames = await rawFrames(gateway, 'test/silent');

    expect(leadingKeepAlives(frames)).toBeGreaterThanOrEqual(2);
    const data = frames.filter((frame) => frame.startsWith('data: '));
    expect(data).toHaveLength(2);
    const chunk = JSON.parse((data[0] as string).slice('data: '.length)) as Record<string, unknown>;
    expect(chunk).toMatchObject({ model: 'test/silent', error: { code: 408 }, choices: [{ finish_reason: 'error' }] });
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === chunk.id);
    expect(record).toMatchObject({ error_code: 'timeout', finish_reason: 'error', cost_micros: 0 });
  });

  it('are skipped by the openai client, which reads the whole reply', async () => {
    const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const stream = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsStreaming);
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text.split(' ').filter((word) => word !== '')).toHaveLength(12);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(12);
  });
});
