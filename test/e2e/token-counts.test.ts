// When a provider reports no usage (a stream cut mid-way, a client that went
// away), the bill is the tokenizer's count of the prompt and of exactly what
// was delivered, not characters/4 and one token per chunk. The upstream here
// is a real HTTP server that sends chunks whose words are several tokens each,
// so a count per chunk and a count by the tokenizer differ.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { chatRequest } from '../../lib/api/chat-request.ts';
import { countPromptTokens } from '../../lib/tokens/prompt-tokens.ts';
import { createTokenCounters } from '../../lib/tokens/token-counters.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

const PIECES = [' antidisestablishmentarianism', ' photosynthesis', ' 🚂🚃🚃', ' Zugverspätungsentschädigung', ' internationalization'];
const chunk = (content: string): string => `data: {"id":"up-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;

/** Sends every piece, then cuts the connection (`/cut`), or sends two and holds the stream open (`/held`). */
function startUpstream(): Promise<{ server: Server; url: string; held: Set<ServerResponse> }> {
  const held = new Set<ServerResponse>();
  const server = createServer((incoming, outgoing) => {
    incoming.resume();
    incoming.on('end', () => {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      if (incoming.url?.startsWith('/cut/') === true) {
        outgoing.write(PIECES.map(chunk).join(''), () => outgoing.destroy());
        return;
      }
      outgoing.write(chunk(PIECES[0] as string) + chunk(PIECES[1] as string));
      held.add(outgoing);
      outgoing.on('close', () => held.delete(outgoing));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held })));
}

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: 'm',
  pricing: { prompt: '2', completion: '4' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens'],
});

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let gateway: LocalGateway;
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'Name the longest words you know, please' }], stream: true });

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    catalogDocument: {
      providers: {
        cutting: { name: 'Cutting', kind: 'openai', baseUrl: `${upstream.url}/cut` },
        holding: { name: 'Holding', kind: 'openai', baseUrl: `${upstream.url}/held` },
      },
      models: [
        { id: 'test/cut', name: 'Cut', created: 1767225600, tokenEncoding: 'o200k_base', endpoints: [endpoint('cutting')] },
        { id: 'test/held', name: 'Held', created: 1767225600, tokenEncoding: 'o200k_base', endpoints: [endpoint('holding')] },
      ],
    },
  });
});
afterAll(async () => {
  await gateway.close();
  for (const response of upstream.held) response.destroy();
  await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
});

async function promptTokensOf(body: unknown): Promise<number> {
  const counter = await createTokenCounters().forEncoding('o200k_base');
  return countPromptTokens(chatRequest.parse(body), counter);
}

function post(body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gateway.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify(body),
    signal,
  });
}

async function recordOf(id: string) {
  const records = (await usageRecords(gateway)).filter((record) => record.id === id);
  expect(records).toHaveLength(1);
  return records[0] as NonNullable<(typeof records)[0]>;
}

const micros = (promptTokens: number, completionTokens: number): number => Math.ceil(promptTokens * 2 + completionTokens * 4);

describe('a provider that reports no usage', () => {
  it('bills a stream cut mid-way for the tokens delivered, as the tokenizer counts them', async () => {
    const before = await balance(gateway);
    const response = await post(ask('test/cut'));
    const text = await response.text();
    const record = await recordOf(response.headers.get('x-generation-id') ?? '');

    expect(text).toContain('"finish_reason":"error"');
    const delivered = encode(PIECES.join('')).length;
    expect(delivered).toBeGreaterThan(PIECES.length * 2);
    expect(record).toMatchObject({ finish_reason: 'error', completion_tokens: delivered, prompt_tokens: await promptTokensOf(ask('test/cut')) });
    expect(record.cost_micros).toBe(micros(record.prompt_tokens, delivered));
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });

  it('bills a client that went away for the tokens delivered before it left, as the tokenizer counts them', async () => {
    const before = await balance(gateway);
    const controller = new AbortController();
    const response = await post(ask('test/held'), controller.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes(PIECES[1] as string)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before the second piece');
      received += decoder.decode(value, { stream: true });
    }
    controller.abort();
    // The gateway learns of the abort when the socket closes: wait for the record that follows.
    const record = await vi.waitFor(() => recordOf(response.headers.get('x-generation-id') ?? ''), { timeout: 5_000, interval: 20 });

    const delivered = encode((PIECES[0] as string) + (PIECES[1] as string)).length;
    expect(record).toMatchObject({ cancelled: true, completion_tokens: delivered, prompt_tokens: await promptTokensOf(ask('test/held')) });
    expect(record.cost_micros).toBe(micros(record.prompt_tokens, delivered));
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });
});
