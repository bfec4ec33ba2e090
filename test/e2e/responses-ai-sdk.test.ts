// The AI SDK's OpenAI provider speaks the Responses API by default: pointed
// at the local gateway with `createOpenAI({ baseURL, apiKey })`, its
// `generateText` and `streamText` work unchanged, including a tool loop (the
// model calls the tool, the SDK runs it and sends the result back as a
// `function_call_output`, the model answers). The SDK validates every event
// it reads, so a wrong field fails these tests.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

/** Paths the SDK called: every test checks it spoke the Responses API, not chat completions. */
let paths: string[] = [];
beforeEach(() => {
  paths = [];
});
afterEach(() => {
  expect(paths.length).toBeGreaterThan(0);
  expect(new Set(paths)).toEqual(new Set(['/api/v1/responses']));
});
const recordingFetch: typeof fetch = (input, init) => {
  paths.push(new URL(input instanceof Request ? input.url : input).pathname);
  return fetch(input, init);
};
const provider = () => createOpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, fetch: recordingFetch });
const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');

const weather = tool({
  description: 'The current weather in a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: async ({ city }) => ({ city, temperature: 21, unit: 'celsius' }),
});

describe('the AI SDK (@ai-sdk/openai, Responses API) against the local gateway', () => {
  it('generates text, with usage, and is billed', async () => {
    const before = await balance(gateway);
    const result = await generateText({ model: provider()('test/one'), prompt: 'Hello', maxRetries: 0 });
    expect(words(result.text)).toHaveLength(12);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBe(12);
    const id = result.response.id;
    expect(id).toMatch(/^gen-/);
    const [record] = (await usageRecords(gateway)).filter((entry) => entry.id === id);
    expect(record).toMatchObject({ status: 200, completion_tokens: 12, prompt_tokens: result.usage.inputTokens });
    expect(before - (await balance(gateway))).toBe(record?.cost_micros);
  });

  it('streams text', async () => {
    const result = streamText({ model: provider()('test/one'), prompt: 'Hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(words(text)).toHaveLength(12);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBe(12);
  });

  it('runs a tool loop: the call, the SDK runs the tool, the answer', async () => {
    const result = await generateText({
      model: provider()('test/one'),
      prompt: 'What is the weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    const [call, answer] = result.steps;
    expect(call?.finishReason).toBe('tool-calls');
    expect(call?.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'example' } }]);
    expect(call?.toolResults).toMatchObject([{ toolName: 'get_weather', output: { city: 'example', temperature: 21 } }]);
    expect(answer?.finishReason).toBe('stop');
    expect(words(result.text)).toHaveLength(12);
  });

  it('streams a tool loop', async () => {
    const result = streamText({
      model: provider()('test/one'),
      prompt: 'What is the weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    const steps = await result.steps;
    expect(steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(steps[0]?.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'example' } }]);
    expect(words(text)).toHaveLength(12);
  });
});
