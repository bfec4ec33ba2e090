// POST /messages with the real clients: the official Anthropic SDK
// (`messages.create`, `messages.stream`) and the AI SDK's Anthropic provider
// (`generateText`, `streamText`), against local mode with the simulator as
// the upstream, on an Anthropic-wire model and on an OpenAI-wire one.
import { createAnthropic } from '@ai-sdk/anthropic';
import Anthropic from '@anthropic-ai/sdk';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { countPromptTokens } from '../../lib/providers/simulator/simulated-request.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

const params = ['temperature', 'top_p', 'top_k', 'max_tokens', 'stop', 'tools', 'tool_choice', 'reasoning'];
const sim = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 };
const endpoint = (provider: string, prompt: string, completion: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt, completion },
  contextLength: 64_000,
  maxCompletionTokens: 8_192,
  supportedParameters: params,
});
const catalog = {
  providers: {
    'sim-anthropic': { name: 'Sim Anthropic', kind: 'anthropic', simulator: sim },
    'sim-openai': { name: 'Sim OpenAI', kind: 'openai', simulator: sim },
  },
  models: [
    { id: 'test/claude', name: 'Test Claude', created: 1767225600, endpoints: [endpoint('sim-anthropic', '3', '15')] },
    { id: 'test/gpt', name: 'Test GPT', created: 1767225600, endpoints: [endpoint('sim-openai', '2', '4')] },
  ],
};

/** What the simulator thinks before it answers (lib/providers/simulator/anthropic-wire.ts). */
const SIMULATED_THINKING = 'Considering the request step by step.';
const THINKING_TOKENS = 6;

let gateway: LocalGateway;
let client: Anthropic;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: catalog });
  // The SDK appends /v1/messages: the gateway's `/api` is its base, as OpenRouter documents.
  client = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const question = 'What is the weather in Oslo?';

describe.each(['test/claude', 'test/gpt'])('the Anthropic SDK against %s', (model) => {
  it('messages.create: a message of one text block, usage as the simulator counted, ids naming the generation', async () => {
    const { data: message, response } = await client.messages
      .create({ model, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();

    expect(message).toMatchObject({ type: 'message', role: 'assistant', model, stop_reason: 'end_turn', stop_sequence: null });
    expect(message.id).toBe(response.headers.get('x-generation-id'));
    expect(message.content).toHaveLength(1);
    const [block] = message.content;
    expect(block?.type === 'text' ? block.text.split(' ') : []).toHaveLength(12);
    expect(message.usage).toMatchObject({
      input_tokens: countPromptTokens(['Be brief.', 'Hello there']),
      output_tokens: 12,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it('messages.create: max_tokens cuts the reply, stop_reason max_tokens', async () => {
    const message = await client.messages.create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'Talk' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(5);
  });

  it('messages.stream with a tool: a tool_use block with parsed input, then the tool result answered in text', async () => {
    const stream = client.messages.stream({ model, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: question }] });
    const eventTypes: string[] = [];
    stream.on('streamEvent', (event) => eventTypes.push(event.type === 'content_block_delta' ? `${event.type}:${event.delta.type}` : event.type));
    const first = await stream.finalMessage();

    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { city: 'example' } }]);
    expect(eventTypes[0]).toBe('message_start');
    expect(eventTypes[1]).toBe('content_block_start');
    expect(eventTypes.filter((type) => type === 'content_block_delta:input_json_delta').length).toBeGreaterThan(1);
    expect(eventTypes.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const call = first.content[0] as Anthropic.ToolUseBlock;

    const second = await client.messages
      .stream({
        model,
        max_tokens: 256,
        tools: [weatherTool],
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: '4°C and clear' }] }] },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content.map((block) => block.type)).toEqual(['text']);
  });

  it('messages.create with tool_choice none answers in text; a failed tool result (is_error) is answered too', async () => {
    const none = await client.messages.create({ model, max_tokens: 64, tools: [weatherTool], tool_choice: { type: 'none' }, messages: [{ role: 'user', content: question }] });
    expect(none.content.map((block) => block.type)).toEqual(['text']);
    const failed = await client.messages.create({
      model,
      max_tokens: 64,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: 'service down', is_error: true }] },
      ],
    });
    expect(failed.stop_reason).toBe('end_turn');
    // The error marker reaches the model as text: the prompt is longer by it.
    expect(failed.usage.input_tokens).toBe(countPromptTokens([question, 'get_weather', '{"city":"Oslo"}', 'Error: service down']));
  });
});

describe('the Anthropic SDK with thinking (Anthropic-wire model)', () => {
  const thinking = { type: 'enabled', budget_tokens: 2048 } as const;

  it('messages.stream: a thinking block with its signature, then the text; usage counts the thinking as output', async () => {
    const stream = client.messages.stream({ model: 'test/claude', max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'Think first' }] });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const message = await stream.finalMessage();

    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const [thought] = message.content as [Anthropic.ThinkingBlock];
    expect(thought.thinking).toBe(SIMULATED_THINKING);
    expect(thought.signature).toMatch(/^Eq/);
    expect(deltas.filter((type) => type === 'thinking_delta')).toHaveLength(THINKING_TOKENS);
    expect(deltas.filter((type) => type === 'signature_delta')).toHaveLength(1);
    expect(message.usage.output_tokens).toBe(12 + THINKING_TOKENS);

    // The next turn sends the thinking block back, signature and all.
    const next = await client.messages.create({
      model: 'test/claude',
      max_tokens: 4096,
      thinking,
      messages: [
        { role: 'user', content: 'Think first' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: 'And now?' },
      ],
    });
    expect(next.content.map((block) => block.type)).toEqual(['thinking', 'text']);
  });

  it('messages.create: thinking and a tool call in one message', async () => {
    const message = await client.messages.create({ model: 'test/claude', max_tokens: 4096, thinking, tools: [weatherTool], messages: [{ role: 'user', content: question }] });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[1]).toMatchObject({ name: 'get_weather', input: { city: 'example' } });
  });

  it('asks for no thinking without `thinking`', async () => {
    const message = await client.messages.create({ model: 'test/claude', max_tokens: 256, messages: [{ role: 'user', content: 'Quick one' }] });
    expect(message.content.map((block) => block.type)).toEqual(['text']);
  });
});

describe('keys and headers', () => {
  it('takes the key as a bearer token too (Claude Code’s ANTHROPIC_AUTH_TOKEN)', async () => {
    const bearer = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: null, authToken: gateway.keys.apiKey, maxRetries: 0 });
    const message = await bearer.messages.create({ model: 'test/gpt', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.type).toBe('message');
  });

  it('serves /v1/messages at the root too, and writes one usage record per request', async () => {
    const root = new Anthropic({ baseURL: gateway.url, apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const message = await root.messages.create({ model: 'test/gpt', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === message.id);
    expect(record).toMatchObject({ model: 'test/gpt', provider: 'Sim OpenAI', status: 200, streamed: false, completion_tokens: 12 });
  });
});

describe('the AI SDK with createAnthropic', () => {
  // The AI SDK appends /messages: its base is the gateway's /api/v1.
  const provider = () => createAnthropic({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey });

  it.each(['test/claude', 'test/gpt'])('generateText on %s', async (model) => {
    const result = await generateText({ model: provider()(model), prompt: 'Hello', maxOutputTokens: 100, maxRetries: 0 });
    expect(result.text.split(' ')).toHaveLength(12);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: countPromptTokens(['Hello']), outputTokens: 12 });
  });

  it.each(['test/claude', 'test/gpt'])('streamText on %s', async (model) => {
    const result = streamText({ model: provider()(model), prompt: 'Hello', maxOutputTokens: 100, maxRetries: 0 });
    let text = '';
    for await (const piece of result.textStream) text += piece;
    expect(text.split(' ')).toHaveLength(12);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBe(12);
  });

  it('generateText with a tool: the call with its parsed input', async () => {
    const result = await generateText({
      model: provider()('test/gpt'),
      prompt: question,
      maxRetries: 0,
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
        }),
      },
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['get_weather', { city: 'example' }]]);
  });

  it('streamText with thinking: the reasoning, then the text', async () => {
    const result = streamText({
      model: provider()('test/claude'),
      prompt: 'Think first',
      maxOutputTokens: 4096,
      maxRetries: 0,
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 2048 } } },
    });
    let text = '';
    for await (const piece of result.textStream) text += piece;
    expect(await result.reasoningText).toBe(SIMULATED_THINKING);
    expect(text.split(' ')).toHaveLength(12);
  });
});
