// While no attempt has committed, a streaming request gets a 200 and
// `: OPENROUTER PROCESSING` comments (DESIGN decision 9); SSE clients skip
// comments, so the openai client still reads the reply that follows.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';

const catalog = {
  providers: {
    thinking: { name: 'Thinking', kind: 'openai', simulator: { firstTokenMs: 300, tokensPerSecond: 0, outputTokens: 12 } },
  },
  models: [
    {
      id: 'test/thinking',
      name: 'Thinking',
      created: 1767225600,
      endpoints: [
        {
          provider: 'thinking',
          upstreamModel: 'thinking-model',
          pricing: { prompt: '1', completion: '2' },
          contextLength: 32_000,
          maxCompletionTokens: 4_096,
          supportedParameters: ['max_tokens'],
        },
      ],
    },
  ],
};

const body = { model: 'test/thinking', messages: [{ role: 'user', content: 'Take your time' }], stream: true };

/** The raw stream's frames, split at the blank lines. */
async function rawFrames(gateway: LocalGateway): Promise<string[]> {
  const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify(body),
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
    gateway = await startTestGateway({ catalogDocument: catalog, settings: { keepAlive: { firstAfterMs: 50, intervalMs: 100 } } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('repeat every interval, before the chunks and [DONE]', async () => {
    // Sent at 50, 150 and 250 ms; the first token is due at 300 ms.
    expect(leadingKeepAlives(await rawFrames(gateway))).toBeGreaterThanOrEqual(2);
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
