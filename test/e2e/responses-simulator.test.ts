// The provider simulator answers POST /responses on its OpenAI-kind
// providers, so Responses clients can be pointed at it directly: the
// official openai client (streamed and not, a tool call and its answer,
// max_output_tokens, a failure) and the AI SDK, whose parser checks every
// event, over real HTTP.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { createSimulator, type Simulator } from '../../lib/providers/simulator/index.ts';
import { testCatalog } from '../providers/simulator/support.ts';

let server: RunningServer;
let simulator: Simulator;
let client: OpenAI;

beforeAll(async () => {
  simulator = createSimulator({ catalog: testCatalog({ outputTokens: 6 }) });
  server = await serve(simulator.handle);
  client = new OpenAI({ baseURL: `${server.url}/sim-openai/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');

async function collect(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>): Promise<OpenAI.Responses.ResponseStreamEvent[]> {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('the simulator on the Responses wire', () => {
  it('streams the event sequence, numbered, with usage in response.completed', async () => {
    const events = await collect(await client.responses.create({ model: 'gpt-sim', input: 'Count the wagons.', stream: true }));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array.from({ length: 6 }, () => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const last = events.at(-1);
    const response = last?.type === 'response.completed' ? last.response : undefined;
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(response?.output).toEqual([{ id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text: deltas.join('') }] }]);
    // ceil(17 characters / 4) input tokens; one output token per word.
    expect(response?.usage).toMatchObject({ input_tokens: 5, output_tokens: 6, total_tokens: 11 });
    expect(response?.model).toBe('gpt-sim');
  });

  it('answers with one response object, and stops at max_output_tokens as incomplete', async () => {
    const whole = await client.responses.create({ model: 'gpt-sim', instructions: 'Be brief', input: 'Count the wagons.' });
    expect(whole).toMatchObject({ object: 'response', status: 'completed' });
    expect(words(whole.output_text)).toHaveLength(6);

    const cut = await client.responses.create({ model: 'gpt-sim', input: 'Count the wagons.', max_output_tokens: 2 });
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { output_tokens: 2 } });
    expect(words(cut.output_text)).toHaveLength(2);
  });

  it('calls a declared tool, then answers its function_call_output', async () => {
    const events = await collect(await client.responses.create({ model: 'gpt-sim', input: 'Weather in Oslo?', tools: [weatherTool], stream: true }));
    const deltas = events.flatMap((event) => (event.type === 'response.function_call_arguments.delta' ? [event.delta] : []));
    expect(deltas.join('')).toBe('{"city":"example"}');
    const last = events.at(-1);
    const call = (last?.type === 'response.completed' ? last.response.output[0] : undefined) as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"example"}', call_id: expect.stringMatching(/^call_/) });

    const answer = await client.responses.create({
      model: 'gpt-sim',
      tools: [weatherTool],
      input: [{ role: 'user', content: 'Weather in Oslo?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '{"c":3}' }],
    });
    expect(answer.output.map((item) => item.type)).toEqual(['message']);
    expect(words(answer.output_text)).toHaveLength(6);
  });

  it('fails on demand: an error status, and an error event the openai client throws', async () => {
    const failing = { headers: { 'x-simulator-failure': '{"mode":"status","status":503}' } };
    await expect(client.responses.create({ model: 'gpt-sim', input: 'Hi' }, failing)).rejects.toMatchObject({ status: 503 });
    const errorEvent = { headers: { 'x-simulator-failure': '{"mode":"error-event"}' } };
    await expect(collect(await client.responses.create({ model: 'gpt-sim', input: 'Hi', stream: true }, errorEvent))).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  it('is read by the AI SDK, streamed and not', async () => {
    const model = createOpenAI({ baseURL: `${server.url}/sim-openai/v1`, apiKey: 'unused' })('gpt-sim');
    const generated = await generateText({ model, prompt: 'Count the wagons.', maxRetries: 0 });
    expect(words(generated.text)).toHaveLength(6);
    expect(generated.usage).toMatchObject({ inputTokens: 5, outputTokens: 6 });
    const streamed = streamText({ model, prompt: 'Count the wagons.', maxRetries: 0 });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe(generated.text);
    expect(await streamed.finishReason).toBe('stop');
  });
});
