// A multi-turn tool-calling conversation with Amazon Bedrock through the
// official openai client. Bedrock has no simulator: a loopback server plays
// its part, answering SigV4-signed ConverseStream requests with recorded
// events encoded into the binary event stream (cut at random places): the
// tool-use recording for turn 1, a text recording once the conversation
// holds a tool result. The repository's recordings always run, ../shared's
// real ones when present.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import type { EventStreamMessage } from '../../lib/providers/bedrock/wire-schemas.ts';
import { expectedSummary, type StreamSummary } from '../providers/bedrock/recorded-stream.ts';
import { CLAUDE_MODEL, concatBytes, encodeMessage, readStreamFixture } from '../providers/bedrock/support.ts';
import { splitUnevenly, startLoopbackUpstream, type LoopbackUpstream } from '../support/loopback-upstream.ts';
import { endpointOn, model, wiresCatalog, type CatalogProvider } from '../support/providers-catalog.ts';
import { assembleToolCalls, collectChunks, expectedCost, finishReasons, providerOf, textOf, usageOf } from '../support/providers-chunks.ts';
import { recordingSets } from '../support/providers-recordings.ts';
import { STATIC_AWS_ACCESS_KEY_ID, startProvidersGateway, stubStaticAwsCredentials } from '../support/providers-upstreams.ts';

const REPLAY_MODEL = 'replay/claude-on-bedrock';
const bedrock: CatalogProvider = { id: 'replay-bedrock', name: 'Amazon Bedrock (replay)', prices: { prompt: 3, completion: 15 } };
const STREAM_PATH = `/model/${encodeURIComponent(CLAUDE_MODEL)}/converse-stream`;

// Only what picks the recording to answer with: whether the conversation already holds a tool result.
const converseRequest = z
  .object({ messages: z.array(z.object({ content: z.array(z.record(z.string(), z.unknown())) }).loose()) })
  .loose();
const holdsToolResult = (body: string): boolean =>
  converseRequest.parse(JSON.parse(body)).messages.some((message) => message.content.some((block) => 'toolResult' in block));

let upstream: LoopbackUpstream;
let gateway: LocalGateway;
let client: OpenAI;
let turns: { toolUse: EventStreamMessage[]; text: EventStreamMessage[] } = { toolUse: [], text: [] };

beforeAll(async () => {
  upstream = await startLoopbackUpstream((request) => {
    const messages = holdsToolResult(request.body) ? turns.text : turns.toolUse;
    const bytes = concatBytes(messages.map(encodeMessage));
    return {
      status: 200,
      headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': '5f1c0a7e-replay' },
      pieces: splitUnevenly(bytes, request.body, 9),
    };
  });
  stubStaticAwsCredentials();
  const catalog = wiresCatalog({
    providers: { [bedrock.id]: { name: bedrock.name, kind: 'bedrock', baseUrl: upstream.url, region: 'us-east-1' } },
    models: [model(REPLAY_MODEL, [endpointOn(bedrock, CLAUDE_MODEL)])],
  });
  gateway = await startProvidersGateway(catalog);
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  vi.unstubAllEnvs();
});

const question: OpenAI.ChatCompletionUserMessageParam = { role: 'user', content: 'What is the weather like in the capital?' };
const toolResult = '{"temperature":21,"unit":"celsius"}';

type Calls = OpenAI.ChatCompletionMessageFunctionToolCall[];

/** Declares every tool the recording calls, so the request is one the model could have answered that way. */
const toolsFor = (summary: StreamSummary): OpenAI.ChatCompletionTool[] =>
  [...new Set(summary.toolCalls.map((call) => call.name))].map((name) => ({
    type: 'function',
    function: { name, description: `Recorded tool ${name}`, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  }));

const expectedCalls = (summary: StreamSummary): Calls =>
  summary.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));

function turnTwo(content: string | null, calls: Calls): OpenAI.ChatCompletionMessageParam[] {
  return [question, { role: 'assistant', content, tool_calls: calls }, ...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: toolResult }))];
}

/** Turn 2 as Converse must receive it: the calls as toolUse blocks, the results as toolResult blocks of one user message. */
function converseTurnTwo(content: string | null, calls: Calls): unknown[] {
  return [
    { role: 'user', content: [{ text: question.content }] },
    {
      role: 'assistant',
      content: [
        ...(content === null || content.trim() === '' ? [] : [{ text: content }]),
        ...calls.map((call) => ({ toolUse: { toolUseId: call.id, name: call.function.name, input: JSON.parse(call.function.arguments) as unknown } })),
      ],
    },
    { role: 'user', content: calls.map((call) => ({ toolResult: { toolUseId: call.id, content: [{ text: toolResult }] } })) },
  ];
}

function finishOf(summary: StreamSummary): { nativeReason: string | null; promptTokens: number; completionTokens: number } {
  if (summary.ending.kind !== 'finish' || summary.ending.usage === undefined) throw new Error('the recording does not finish with usage');
  return { nativeReason: summary.ending.nativeReason, promptTokens: summary.ending.usage.promptTokens, completionTokens: summary.ending.usage.completionTokens };
}

function expectSignedStreamRequest(index: number): void {
  const sent = upstream.requests[index];
  expect(sent?.method).toBe('POST');
  // The gateway always asks Bedrock for a stream; a JSON reply to the client is assembled from it.
  expect(sent?.url).toBe(STREAM_PATH);
  expect(sent?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${STATIC_AWS_ACCESS_KEY_ID}/\\d{8}/us-east-1/bedrock/aws4_request, `));
}

const sets = recordingSets('bedrock', {
  shared: { toolUse: 'converse-stream-tool-use.jsonl', text: 'converse-stream-text.jsonl' },
  repository: { toolUse: 'stream-tool-use-split.jsonl', text: 'stream-text.jsonl' },
});

describe.each(sets)('a tool-calling conversation with Bedrock ($source recordings)', ({ files }) => {
  const toolUse = readStreamFixture(files.toolUse);
  const text = readStreamFixture(files.text);
  const first = expectedSummary(toolUse);
  const second = expectedSummary(text);
  const tools = toolsFor(first);

  beforeAll(() => {
    turns = { toolUse, text };
    expect(first.toolCalls.length).toBeGreaterThan(0);
    expect(finishOf(first).nativeReason).toBe('tool_use');
    expect(second.toolCalls).toEqual([]);
  });

  it('streams the recorded tool calls, then the recorded answer to their results', async () => {
    const sentBefore = upstream.requests.length;
    const turnOne = await collectChunks(await client.chat.completions.create({ model: REPLAY_MODEL, messages: [question], tools, stream: true }));

    expectSignedStreamRequest(sentBefore);
    expect(new Set(turnOne.map(providerOf))).toEqual(new Set([bedrock.name]));
    expect(new Set(turnOne.map((chunk) => chunk.id)).size).toBe(1);
    const calls = assembleToolCalls(turnOne);
    expect(calls).toEqual(expectedCalls(first));
    expect(textOf(turnOne)).toBe(first.text);
    expect(finishReasons(turnOne)).toEqual(['tool_calls']);
    expect(turnOne.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]).toMatchObject({ native_finish_reason: 'tool_use' });
    const usageOne = usageOf(turnOne.at(-1) ?? {});
    expect(usageOne).toMatchObject({ prompt_tokens: finishOf(first).promptTokens, completion_tokens: finishOf(first).completionTokens });
    expect(usageOne.cost).toBeCloseTo(expectedCost(usageOne, bedrock.prices), 12);

    const content = first.text === '' ? null : first.text;
    const turnTwoChunks = await collectChunks(await client.chat.completions.create({ model: REPLAY_MODEL, messages: turnTwo(content, calls), tools, stream: true }));

    expectSignedStreamRequest(sentBefore + 1);
    expect(upstream.requests).toHaveLength(sentBefore + 2);
    expect(JSON.parse(upstream.requests[sentBefore + 1]?.body ?? '{}')).toMatchObject({ messages: converseTurnTwo(content, calls) });
    expect(textOf(turnTwoChunks)).toBe(second.text);
    expect(assembleToolCalls(turnTwoChunks)).toEqual([]);
    expect(finishReasons(turnTwoChunks)).toEqual(['stop']);
    expect(turnTwoChunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]).toMatchObject({ native_finish_reason: finishOf(second).nativeReason });
    const usageTwo = usageOf(turnTwoChunks.at(-1) ?? {});
    expect(usageTwo).toMatchObject({ prompt_tokens: finishOf(second).promptTokens, completion_tokens: finishOf(second).completionTokens });
    expect(usageTwo.cost).toBeCloseTo(expectedCost(usageTwo, bedrock.prices), 12);
  });

  it('returns the same tool calls and answer as JSON bodies', async () => {
    const sentBefore = upstream.requests.length;
    const turnOne = await client.chat.completions.create({ model: REPLAY_MODEL, messages: [question], tools });

    expectSignedStreamRequest(sentBefore);
    expect(providerOf(turnOne)).toBe(bedrock.name);
    const message = turnOne.choices[0]?.message;
    expect(message?.tool_calls).toEqual(expectedCalls(first));
    expect(message?.content).toBe(first.text === '' ? null : first.text);
    expect(turnOne.choices[0]?.finish_reason).toBe('tool_calls');
    const usageOne = usageOf(turnOne);
    expect(usageOne).toMatchObject({ prompt_tokens: finishOf(first).promptTokens, completion_tokens: finishOf(first).completionTokens });
    expect(usageOne.cost).toBeCloseTo(expectedCost(usageOne, bedrock.prices), 12);

    const calls = (message?.tool_calls ?? []) as Calls;
    const turnTwoReply = await client.chat.completions.create({ model: REPLAY_MODEL, messages: turnTwo(message?.content ?? null, calls), tools });

    expect(JSON.parse(upstream.requests[sentBefore + 1]?.body ?? '{}')).toMatchObject({ messages: converseTurnTwo(message?.content ?? null, calls) });
    expect(turnTwoReply.choices[0]?.message.content).toBe(second.text);
    expect(turnTwoReply.choices[0]?.finish_reason).toBe('stop');
    const usageTwo = usageOf(turnTwoReply);
    expect(usageTwo).toMatchObject({ prompt_tokens: finishOf(second).promptTokens, completion_tokens: finishOf(second).completionTokens });
    expect(usageTwo.cost).toBeCloseTo(expectedCost(usageTwo, bedrock.prices), 12);
  });
});
