// Reasoning through the gateway, where the simulator has none: a loopback
// server acting as an Anthropic endpoint replays a recorded thinking stream
// (the repository's own, and ../shared's real one when present). The client
// gets `delta.reasoning` with `reasoning_details`, the signature, then the
// content; with `reasoning.exclude` the text is hidden but the signature,
// which the next turn needs, still arrives.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { sseReply, startLoopbackUpstream, type LoopbackUpstream } from '../support/loopback-upstream.ts';
import { endpointOn, model, wiresCatalog, type CatalogProvider } from '../support/providers-catalog.ts';
import { collectChunks, expectedCost, finishReasons, providerOf, textOf, usageOf } from '../support/providers-chunks.ts';
import { readAnthropicThinking, recordingSets } from '../support/providers-recordings.ts';
import { startProvidersGateway } from '../support/providers-upstreams.ts';

const ANTHROPIC_KEY = 'sk-ant-e2e-replay-key';
const REPLAY_MODEL = 'replay/claude';
const replayProvider: CatalogProvider = { id: 'replay-anthropic', name: 'Anthropic (replay)', prices: { prompt: 3, completion: 15 } };
const FORMAT = 'anthropic-claude-v1';

let upstream: LoopbackUpstream;
let gateway: LocalGateway;
let client: OpenAI;
/** The recorded SSE body the upstream answers with. */
let recordedBody = '';

beforeAll(async () => {
  // 61-byte reads cut events, lines and multi-byte characters at arbitrary places.
  upstream = await startLoopbackUpstream();
  upstream.reply(() => sseReply(recordedBody, 61));
  const catalog = wiresCatalog({
    providers: { [replayProvider.id]: { name: replayProvider.name, kind: 'anthropic', baseUrl: upstream.url, credential: 'ANTHROPIC_API_KEY' } },
    models: [model(REPLAY_MODEL, [endpointOn(replayProvider, 'claude-sonnet-4-5-20250929')])],
  });
  gateway = await startProvidersGateway(catalog, { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

type ReasoningDelta = { content?: string | null; reasoning?: string | null; reasoning_details?: Record<string, unknown>[] };
type ReasoningMessage = OpenAI.ChatCompletionMessage & { reasoning?: string | null; reasoning_details?: Record<string, unknown>[] };
const deltaOf = (chunk: OpenAI.ChatCompletionChunk): ReasoningDelta => (chunk.choices[0]?.delta ?? {}) as ReasoningDelta;
const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Work it out, then answer.' };
const ask = (exclude: boolean) => ({ model: REPLAY_MODEL, messages: [question], max_tokens: 4096, reasoning: { max_tokens: 2048, ...(exclude ? { exclude } : {}) } });

const sets = recordingSets('anthropic', { shared: { stream: 'stream-thinking.sse' }, repository: { stream: 'stream-thinking.sse' } });

describe.each(sets)('a recorded Anthropic thinking stream ($source fixtures) through the gateway', ({ files }) => {
  const recording = readAnthropicThinking(files.stream);
  const signatureDetail = { type: 'reasoning.text', text: '', signature: recording.signature, format: FORMAT, index: 0 };

  beforeAll(() => {
    recordedBody = readFileSync(files.stream, 'utf8');
    expect(recording.thinking).not.toBe('');
    expect(recording.signature).not.toBe('');
    expect(recording.text).not.toBe('');
  });

  function expectThinkingRequested(): void {
    const sent = upstream.requests.at(-1);
    expect(sent?.url).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({ model: 'claude-sonnet-4-5-20250929', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 } });
  }

  function expectRecordedUsage(usage: ReturnType<typeof usageOf>): void {
    expect(usage).toMatchObject({ prompt_tokens: recording.promptTokens, completion_tokens: recording.completionTokens });
    expect(usage.cost).toBeCloseTo(expectedCost(usage, replayProvider.prices), 12);
  }

  it('streams the reasoning with its details, the signature, then the content', async () => {
    const chunks = await collectChunks(await client.chat.completions.create({ ...ask(false), stream: true }));

    expectThinkingRequested();
    const reasoningAt = chunks.flatMap((chunk, index) => (deltaOf(chunk).reasoning ? [index] : []));
    const signatureAt = chunks.flatMap((chunk, index) => (deltaOf(chunk).reasoning_details?.some((detail) => 'signature' in detail) ? [index] : []));
    const contentAt = chunks.flatMap((chunk, index) => (deltaOf(chunk).content ? [index] : []));
    expect(reasoningAt.map((index) => deltaOf(chunks[index] as OpenAI.ChatCompletionChunk).reasoning).join('')).toBe(recording.thinking);
    for (const index of reasoningAt) {
      const delta = deltaOf(chunks[index] as OpenAI.ChatCompletionChunk);
      expect(delta.reasoning_details).toEqual([{ type: 'reasoning.text', text: delta.reasoning, format: FORMAT, index: 0 }]);
    }
    expect(signatureAt).toHaveLength(1);
    expect(deltaOf(chunks[signatureAt[0] as number] as OpenAI.ChatCompletionChunk).reasoning_details).toEqual([signatureDetail]);
    expect(Math.max(...reasoningAt)).toBeLessThan(signatureAt[0] as number);
    expect(signatureAt[0]).toBeLessThan(Math.min(...contentAt));
    expect(textOf(chunks)).toBe(recording.text);
    expect(new Set(chunks.map(providerOf))).toEqual(new Set([replayProvider.name]));
    expect(finishReasons(chunks)).toEqual(['stop']);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]).toMatchObject({ native_finish_reason: recording.stopReason });
    expectRecordedUsage(usageOf(chunks.at(-1) ?? {}));
  });

  it('hides the reasoning text with reasoning.exclude, but still sends the signature', async () => {
    const chunks = await collectChunks(await client.chat.completions.create({ ...ask(true), stream: true }));

    // Excluded reasoning is still asked for (and paid for): it is only left out of the reply.
    expectThinkingRequested();
    expect(chunks.filter((chunk) => 'reasoning' in deltaOf(chunk))).toEqual([]);
    expect(chunks.flatMap((chunk) => deltaOf(chunk).reasoning_details ?? [])).toEqual([signatureDetail]);
    expect(JSON.stringify(chunks)).not.toContain(recording.thinking.slice(0, 20));
    expect(textOf(chunks)).toBe(recording.text);
    expect(finishReasons(chunks)).toEqual(['stop']);
    expectRecordedUsage(usageOf(chunks.at(-1) ?? {}));
  });

  it('returns the reasoning and its signed detail in one JSON body, and takes them back on the next turn', async () => {
    const completion = await client.chat.completions.create(ask(false));

    const message = completion.choices[0]?.message as ReasoningMessage;
    expect(message.reasoning).toBe(recording.thinking);
    expect(message.reasoning_details).toEqual([{ type: 'reasoning.text', text: recording.thinking, signature: recording.signature, format: FORMAT, index: 0 }]);
    expect(message.content).toBe(recording.text);
    expectRecordedUsage(usageOf(completion));

    const assistant = { role: 'assistant', content: message.content, reasoning_details: message.reasoning_details } as OpenAI.ChatCompletionAssistantMessageParam;
    await client.chat.completions.create({ ...ask(false), messages: [question, assistant, { role: 'user', content: 'And doubled?' }] });

    expect(JSON.parse(upstream.requests.at(-1)?.body ?? '{}')).toMatchObject({
      messages: [
        { role: 'user' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: recording.thinking, signature: recording.signature }, { type: 'text', text: recording.text }] },
        { role: 'user' },
      ],
    });
  });

  it('leaves only the signed detail in the JSON body with reasoning.exclude', async () => {
    const completion = await client.chat.completions.create(ask(true));

    const message = completion.choices[0]?.message as ReasoningMessage;
    expect(message.reasoning).toBeNull();
    expect(message.reasoning_details).toEqual([signatureDetail]);
    expect(message.content).toBe(recording.text);
    expectRecordedUsage(usageOf(completion));
  });
});
