// A multi-turn tool-calling conversation through the official openai client,
// against each simulated wire (OpenAI, Anthropic, Gemini): turn 1 gets a
// tool call (streamed deltas assembled exactly, or whole), turn 2 sends the
// call and its result back and gets text. A recording proxy in front of the
// simulator shows that the call and the result reached each upstream in its
// own wire format, and usage.cost is the catalog's prices × tokens.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance } from '../support/local-gateway.ts';
import { ASSISTANT_MODEL, simulatedWires, wiresCatalog, type SimulatedKind } from '../support/providers-catalog.ts';
import {
  assembleToolCalls,
  collectChunks,
  expectedCost,
  finishReasons,
  providerOf,
  textOf,
  toolCallDeltas,
  usageOf,
} from '../support/providers-chunks.ts';
import { startProvidersGateway, startRecordingProxy, type ProxiedRequest, type RecordingProxy } from '../support/providers-upstreams.ts';

let proxy: RecordingProxy;
let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  gateway = await startProvidersGateway(wiresCatalog({ baseUrlOf: proxy.baseUrlOf }));
  proxy.forwardTo(gateway.simulatorUrl);
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await proxy.close();
});

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const question: OpenAI.ChatCompletionUserMessageParam = { role: 'user', content: 'What is the weather in Paris?' };
const toolResult = '{"temperature":21,"unit":"celsius"}';
// The simulator fills each required property from the tool's schema: strings are "example".
const expectedArguments = '{"city":"example"}';
const nativeToolFinish: Record<SimulatedKind, string> = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };
const nativeStop: Record<SimulatedKind, string> = { openai: 'stop', anthropic: 'end_turn', gemini: 'STOP' };

function turnTwo(calls: OpenAI.ChatCompletionMessageFunctionToolCall[]): OpenAI.ChatCompletionMessageParam[] {
  return [
    question,
    { role: 'assistant', content: null, tool_calls: calls },
    ...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: toolResult })),
  ];
}

/** The conversation of turn 2 as each wire must receive it: the call and its result in that wire's own blocks. */
function upstreamConversation(kind: SimulatedKind, call: OpenAI.ChatCompletionMessageFunctionToolCall): unknown {
  switch (kind) {
    case 'openai':
      return {
        messages: [
          { role: 'user', content: question.content },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: toolResult },
        ],
      };
    case 'anthropic':
      return {
        messages: [
          { role: 'user', content: [{ type: 'text', text: question.content }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'example' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: toolResult }] },
        ],
      };
    case 'gemini':
      // Gemini has no call ids: a function response is matched to its call by name.
      return {
        contents: [
          { role: 'user', parts: [{ text: question.content }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'example' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21, unit: 'celsius' } } }] },
        ],
      };
  }
}

function lastRequestTo(providerId: string): ProxiedRequest {
  const request = proxy.received.filter((entry) => entry.provider === providerId).at(-1);
  if (request === undefined) throw new Error(`no request reached ${providerId}`);
  return request;
}

describe.each(simulatedWires)('a tool-calling conversation over the $kind wire ($name)', (wire) => {
  const only = { provider: { only: [wire.id] } } as object;

  it('streams the tool call as deltas, then answers the tool result with text', async () => {
    const before = await balance(gateway);
    const first = await collectChunks(
      await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: [question], tools, stream: true, ...only }),
    );

    expect(new Set(first.map((chunk) => chunk.id)).size).toBe(1);
    expect(new Set(first.map(providerOf))).toEqual(new Set([wire.name]));
    expect(new Set(first.map((chunk) => chunk.model))).toEqual(new Set([ASSISTANT_MODEL]));
    const calls = assembleToolCalls(first);
    expect(calls).toEqual([{ id: expect.stringMatching(/^\S+$/), type: 'function', function: { name: 'get_weather', arguments: expectedArguments } }]);
    const argumentDeltas = toolCallDeltas(first).filter((delta) => delta.function?.arguments !== undefined && delta.function.arguments !== '');
    // The OpenAI and Anthropic wires stream arguments in fragments; Gemini sends a call whole.
    if (wire.kind === 'gemini') expect(argumentDeltas).toHaveLength(1);
    else expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(textOf(first)).toBe('');
    expect(finishReasons(first)).toEqual(['tool_calls']);
    expect(first.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]).toMatchObject({ native_finish_reason: nativeToolFinish[wire.kind] });
    const firstUsage = usageOf(first.at(-1) ?? {});
    expect(first.at(-1)?.choices).toEqual([]);
    expect(firstUsage.prompt_tokens).toBeGreaterThan(0);
    expect(firstUsage.completion_tokens).toBeGreaterThan(0);
    expect(firstUsage.cost).toBeCloseTo(expectedCost(firstUsage, wire.prices), 12);

    const second = await collectChunks(
      await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: turnTwo(calls), tools, stream: true, ...only }),
    );

    const [call] = calls as [OpenAI.ChatCompletionMessageFunctionToolCall];
    expect(lastRequestTo(wire.id).body).toMatchObject(upstreamConversation(wire.kind, call) as object);
    expect(new Set(second.map(providerOf))).toEqual(new Set([wire.name]));
    expect(toolCallDeltas(second)).toEqual([]);
    expect(textOf(second).split(' ')).toHaveLength(12);
    expect(finishReasons(second)).toEqual(['stop']);
    expect(second.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]).toMatchObject({ native_finish_reason: nativeStop[wire.kind] });
    const secondUsage = usageOf(second.at(-1) ?? {});
    expect(secondUsage.completion_tokens).toBe(12);
    // The call and its result are part of turn 2's prompt.
    expect(secondUsage.prompt_tokens).toBeGreaterThan(firstUsage.prompt_tokens);
    expect(secondUsage.cost).toBeCloseTo(expectedCost(secondUsage, wire.prices), 12);
    expect(before - (await balance(gateway))).toBe(Math.round((firstUsage.cost + secondUsage.cost) * 1_000_000));
  });

  it('returns the tool call whole without streaming, then the text answer', async () => {
    const first = await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: [question], tools, ...only });

    expect(providerOf(first)).toBe(wire.name);
    expect(first.model).toBe(ASSISTANT_MODEL);
    const [choice] = first.choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const calls = (choice?.message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls).toEqual([{ id: expect.stringMatching(/^\S+$/), type: 'function', function: { name: 'get_weather', arguments: expectedArguments } }]);
    const firstUsage = usageOf(first);
    expect(firstUsage.cost).toBeCloseTo(expectedCost(firstUsage, wire.prices), 12);

    const second = await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: turnTwo(calls), tools, ...only });

    const [call] = calls as [OpenAI.ChatCompletionMessageFunctionToolCall];
    expect(lastRequestTo(wire.id).body).toMatchObject(upstreamConversation(wire.kind, call) as object);
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.tool_calls).toBeUndefined();
    expect(second.choices[0]?.message.content?.split(' ')).toHaveLength(12);
    const secondUsage = usageOf(second);
    expect(secondUsage.completion_tokens).toBe(12);
    expect(secondUsage.cost).toBeCloseTo(expectedCost(secondUsage, wire.prices), 12);
  });

  it('counts the same tokens for the same turn, streamed or not', async () => {
    const streamed = await collectChunks(
      await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: [question], tools, stream: true, ...only }),
    );
    const whole = await client.chat.completions.create({ model: ASSISTANT_MODEL, messages: [question], tools, ...only });

    const { cost, prompt_tokens, completion_tokens } = usageOf(streamed.at(-1) ?? {});
    expect(usageOf(whole)).toMatchObject({ cost, prompt_tokens, completion_tokens });
    expect(assembleToolCalls(streamed).map((call) => call.function)).toEqual(whole.choices[0]?.message.tool_calls?.map((call) => (call as OpenAI.ChatCompletionMessageFunctionToolCall).function));
  });
});
