// One conversation, several providers: a user switches models by changing
// one string, and the tool calls other providers made earlier in the
// conversation must still be acceptable to the next one. Anthropic refuses
// repeated `tool_use` ids ("`tool_use` ids must be unique") and ids outside
// [a-zA-Z0-9_-]; Gemini numbers its calls afresh in every response (call_0,
// call_0, …) and Bedrock-hosted models answer with ids like
// `functions.get_weather:0`. Claude on Bedrock holds Converse's toolUse
// ids to the same rules.
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { CLAUDE_MODEL, concatBytes, encodeMessage, ownFixtures, readStreamFixture } from '../providers/bedrock/support.ts';
import { replyWith, startLoopbackUpstream, type LoopbackUpstream } from '../support/loopback-upstream.ts';
import { ASSISTANT_MODEL, endpointOn, model, simulatedWires, wiresCatalog, type CatalogProvider, type SimulatedKind, type SimulatedWire } from '../support/providers-catalog.ts';
import { finishReasons, collectChunks, textOf, assembleToolCalls } from '../support/providers-chunks.ts';
import { startProvidersGateway, startRecordingProxy, stubStaticAwsCredentials, type RecordingProxy } from '../support/providers-upstreams.ts';

const BEDROCK_MODEL = 'replay/claude-on-bedrock';
const bedrock: CatalogProvider = { id: 'replay-bedrock', name: 'Amazon Bedrock (replay)', prices: { prompt: 3, completion: 15 } };

let proxy: RecordingProxy;
let bedrockUpstream: LoopbackUpstream;
let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  // Every conversation sent to Bedrock here ends with a tool result: a recorded text answer follows.
  const answer = concatBytes(readStreamFixture(path.join(ownFixtures, 'stream-text.jsonl')).map(encodeMessage));
  bedrockUpstream = await startLoopbackUpstream(replyWith(200, answer, { 'content-type': 'application/vnd.amazon.eventstream' }));
  stubStaticAwsCredentials();
  const catalog = wiresCatalog({
    baseUrlOf: proxy.baseUrlOf,
    providers: { [bedrock.id]: { name: bedrock.name, kind: 'bedrock', baseUrl: bedrockUpstream.url, region: 'us-east-1' } },
    models: [model(BEDROCK_MODEL, [endpointOn(bedrock, CLAUDE_MODEL)])],
  });
  gateway = await startProvidersGateway(catalog);
  proxy.forwardTo(gateway.simulatorUrl);
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await proxy.close();
  await bedrockUpstream.close();
  vi.unstubAllEnvs();
});

const wireOf = (kind: SimulatedKind): SimulatedWire => simulatedWires.find((wire) => wire.kind === kind) as SimulatedWire;
const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'The current weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  },
];
const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

async function turn(kind: SimulatedKind, messages: OpenAI.ChatCompletionMessageParam[]) {
  const chunks = await collectChunks(
    await client.chat.completions.create({ model: ASSISTANT_MODEL, messages, tools, stream: true, ...({ provider: { only: [wireOf(kind).id] } } as object) }),
  );
  return { chunks, calls: assembleToolCalls(chunks), text: textOf(chunks) };
}

/** Two rounds of tool use on one wire: ask, call, result, answer; ask again, call, result. */
async function twoToolRounds(kind: SimulatedKind): Promise<OpenAI.ChatCompletionMessageParam[]> {
  const history: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
  for (const [index, followUp] of ['And in Lisbon?', undefined].entries()) {
    const { calls } = await turn(kind, history);
    expect(calls).toHaveLength(1);
    history.push({ role: 'assistant', content: null, tool_calls: calls });
    history.push(...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: `{"temperature":${20 + index}}` })));
    if (followUp === undefined) break;
    const { text } = await turn(kind, history);
    history.push({ role: 'assistant', content: text }, { role: 'user', content: followUp });
  }
  return history;
}

// The Converse body, leniently: toolUse and toolResult blocks with their ids.
const converseBody = z.object({
  messages: z.array(
    z.object({
      role: z.string(),
      content: z.array(
        z.object({ toolUse: z.object({ toolUseId: z.string() }).loose().nullish(), toolResult: z.object({ toolUseId: z.string() }).loose().nullish() }).loose(),
      ),
    }),
  ),
});

/** The same view of a Converse body as `toolIds` gives of an Anthropic one. */
function converseToolIds(body: string): { uses: string[]; results: { id: string; answers: string[] }[] } {
  const uses: string[] = [];
  const results: { id: string; answers: string[] }[] = [];
  let previousUses: string[] = [];
  for (const message of converseBody.parse(JSON.parse(body)).messages) {
    const ids = message.content.flatMap((block) => (block.toolUse != null ? [block.toolUse.toolUseId] : []));
    uses.push(...ids);
    for (const block of message.content) if (block.toolResult != null) results.push({ id: block.toolResult.toolUseId, answers: previousUses });
    if (message.role === 'assistant') previousUses = ids;
  }
  return { uses, results };
}

// The Anthropic body, leniently: each message's blocks with their ids.
const anthropicBody = z.object({
  messages: z.array(
    z.object({
      role: z.string(),
      content: z.array(z.object({ type: z.string(), id: z.string().nullish(), tool_use_id: z.string().nullish() }).loose()),
    }),
  ),
});

/** Every tool_use id of the body, and for each tool_result, the ids of the tool_use blocks in the assistant turn just before it. */
function toolIds(body: unknown): { uses: string[]; results: { id: string; answers: string[] }[] } {
  const uses: string[] = [];
  const results: { id: string; answers: string[] }[] = [];
  let previousUses: string[] = [];
  for (const message of anthropicBody.parse(body).messages) {
    const ids = message.content.flatMap((block) => (block.type === 'tool_use' && block.id != null ? [block.id] : []));
    uses.push(...ids);
    for (const block of message.content) {
      if (block.type === 'tool_result' && block.tool_use_id != null) results.push({ id: block.tool_use_id, answers: previousUses });
    }
    if (message.role === 'assistant') previousUses = ids;
  }
  return { uses, results };
}

describe('a conversation that switches providers', () => {
  it('continues on the Anthropic wire after two tool rounds on the Gemini wire, with unique tool_use ids', async () => {
    const history = await twoToolRounds('gemini');

    const { chunks } = await turn('anthropic', history);

    expect(finishReasons(chunks)).toEqual(['stop']);
    expect(textOf(chunks).split(' ')).toHaveLength(12);
    const sent = proxy.received.filter((request) => request.provider === wireOf('anthropic').id).at(-1);
    const { uses, results } = toolIds(sent?.body);
    expect(uses).toHaveLength(2);
    expect(new Set(uses).size).toBe(uses.length);
    for (const id of uses) expect(id).toMatch(ANTHROPIC_TOOL_ID);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result.answers).toContain(result.id);
  });

  it('continues on the Anthropic wire after a Bedrock-hosted model’s call with a dotted id', async () => {
    // As a Bedrock-hosted model names its calls (../shared/fixtures/bedrock/converse-tool-use.json).
    const call: OpenAI.ChatCompletionMessageFunctionToolCall = { id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"London"}' } };
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in London?' },
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: '{"temperature":14}' },
    ];

    const { chunks } = await turn('anthropic', history);

    expect(finishReasons(chunks)).toEqual(['stop']);
    const sent = proxy.received.filter((request) => request.provider === wireOf('anthropic').id).at(-1);
    const { uses, results } = toolIds(sent?.body);
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatch(ANTHROPIC_TOOL_ID);
    expect(results).toEqual([{ id: uses[0], answers: uses }]);
  });

  it('continues on Bedrock after two tool rounds on the Gemini wire, with unique toolUse ids', async () => {
    const history = await twoToolRounds('gemini');

    const chunks = await collectChunks(await client.chat.completions.create({ model: BEDROCK_MODEL, messages: history, tools, stream: true }));

    expect(finishReasons(chunks)).toEqual(['stop']);
    const { uses, results } = converseToolIds(bedrockUpstream.requests.at(-1)?.body ?? '{}');
    expect(uses).toHaveLength(2);
    expect(new Set(uses).size).toBe(uses.length);
    for (const id of uses) expect(id).toMatch(ANTHROPIC_TOOL_ID);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result.answers).toContain(result.id);
  });

  it('continues on the OpenAI wire with the tool calls as the client sent them', async () => {
    const history = await twoToolRounds('anthropic');

    const { chunks } = await turn('openai', history);

    expect(finishReasons(chunks)).toEqual(['stop']);
    const sent = proxy.received.filter((request) => request.provider === wireOf('openai').id).at(-1);
    const assistantCalls = history.flatMap((message) => (message.role === 'assistant' ? (message.tool_calls ?? []) : []));
    expect(sent?.body).toMatchObject({
      messages: history.map((message) => (message.role === 'assistant' && message.tool_calls !== undefined ? { role: 'assistant', tool_calls: message.tool_calls } : { role: message.role })),
    });
    expect(assistantCalls).toHaveLength(2);
  });
});
