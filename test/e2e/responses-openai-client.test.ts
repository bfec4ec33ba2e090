// The official `openai` client's `responses.create`, pointed at the local
// gateway, streamed and not: the Responses event sequence with sequence
// numbers, the response object, usage with cost (the balance moves by
// exactly it), one usage record, `max_output_tokens` → `incomplete`, and a
// function-tool round trip (the model calls the tool, the client sends the
// call and its `function_call_output` back, the model answers).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

type Usage = OpenAI.Responses.ResponseUsage & { cost: number };
/** test/one costs 2 µ$ per input token and 4 µ$ per output token. */
const costOf = (usage: OpenAI.Responses.ResponseUsage): number => (usage.input_tokens * 2 + usage.output_tokens * 4) / 1_000_000;
const micros = (usd: number): number => Math.round(usd * 1_000_000);
const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
// The simulator fills each required property from the tool's schema: strings are "example".
const expectedArguments = '{"city":"example"}';

async function collect(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>): Promise<OpenAI.Responses.ResponseStreamEvent[]> {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function lastResponse(events: OpenAI.Responses.ResponseStreamEvent[]): OpenAI.Responses.Response {
  const last = events.at(-1);
  if (last === undefined || !('response' in last)) throw new Error(`the stream ended with ${last?.type ?? 'nothing'}`);
  return last.response;
}

describe('responses.create with the openai client', () => {
  it('streams the Responses event sequence, numbered, ending in response.completed with usage and cost', async () => {
    const before = await balance(gateway);
    const { data: stream, response: http } = await client.responses
      .create({ model: 'test/one', input: 'Say something nice', stream: true })
      .withResponse();
    const events = await collect(stream);

    expect(http.headers.get('content-type')).toBe('text/event-stream');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array.from({ length: 12 }, () => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    const done = events.find((event) => event.type === 'response.output_text.done');
    expect(done?.type === 'response.output_text.done' ? done.text : undefined).toBe(deltas.join(''));
    expect(words(deltas.join(''))).toHaveLength(12);

    const response = lastResponse(events);
    expect(response.id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    expect(http.headers.get('x-generation-id')).toBe(response.id);
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'test/one', error: null, incomplete_details: null });
    expect(response.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: deltas.join(''), annotations: [], logprobs: [] }] },
    ]);
    const usage = response.usage as Usage;
    expect(usage.output_tokens).toBe(12);
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.cost).toBeCloseTo(costOf(usage), 12);
    expect(before - (await balance(gateway))).toBe(micros(usage.cost));
  });

  it('answers without streaming with one response object, and leaves one usage record', async () => {
    const before = await balance(gateway);
    const { data: response, response: http } = await client.responses
      .create({ model: 'test/one', instructions: 'Be brief', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Count me' }] }] })
      .withResponse();

    expect(http.headers.get('x-generation-id')).toBe(response.id);
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'test/one', instructions: null, store: false });
    expect(words(response.output_text)).toHaveLength(12);
    const usage = response.usage as Usage;
    expect(usage.cost).toBeCloseTo(costOf(usage), 12);
    expect(before - (await balance(gateway))).toBe(micros(usage.cost));

    const records = (await usageRecords(gateway)).filter((record) => record.id === response.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      model_requested: 'test/one',
      model: 'test/one',
      provider: 'Sim A',
      streamed: false,
      status: 200,
      finish_reason: 'stop',
      prompt_tokens: usage.input_tokens,
      completion_tokens: 12,
      cost_micros: micros(usage.cost),
    });
    expect(JSON.stringify(records[0])).not.toContain('Count me');
  });

  it('is incomplete when max_output_tokens cuts the answer, streamed and not', async () => {
    const whole = await client.responses.create({ model: 'test/one', input: 'Tell me more', max_output_tokens: 5 });
    expect(whole).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, max_output_tokens: 5 });
    expect(whole.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(words(whole.output_text)).toHaveLength(5);
    expect(whole.usage?.output_tokens).toBe(5);

    const events = await collect(await client.responses.create({ model: 'test/one', input: 'Tell me more', max_output_tokens: 5, stream: true }));
    expect(events.at(-1)?.type).toBe('response.incomplete');
    expect(lastResponse(events)).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('is served under /v1/responses as well as /api/v1/responses', async () => {
    const openaiBase = new OpenAI({ baseURL: gateway.baseUrl.replace(/\/api\/v1$/, '/v1'), apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const response = await openaiBase.responses.create({ model: 'test/one', input: 'Hello' });
    expect(response.status).toBe('completed');
    expect(words(response.output_text)).toHaveLength(12);
  });
});

describe('a function-tool round trip', () => {
  const question = 'What is the weather in Paris?';
  const toolResult = '{"temperature":21,"unit":"celsius"}';

  it('calls the tool, then answers the function_call_output (not streamed)', async () => {
    const first = await client.responses.create({ model: 'test/one', input: question, tools: [weatherTool] });
    expect(first.status).toBe('completed');
    expect(first.output).toEqual([
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', call_id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: expectedArguments },
    ]);
    expect(first.tools).toMatchObject([{ type: 'function', name: 'get_weather' }]);
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;

    const second = await client.responses.create({
      model: 'test/one',
      tools: [weatherTool],
      input: [{ role: 'user', content: question }, call, { type: 'function_call_output', call_id: call.call_id, output: toolResult }],
    });
    expect(second.status).toBe('completed');
    expect(second.output.map((item) => item.type)).toEqual(['message']);
    expect(words(second.output_text)).toHaveLength(12);
    const records = (await usageRecords(gateway)).filter((record) => record.id === first.id || record.id === second.id);
    expect(records.map((record) => record.finish_reason).sort()).toEqual(['stop', 'tool_calls']);
  });

  it('streams the call: the item, argument deltas that add up, and the done events', async () => {
    const events = await collect(await client.responses.create({ model: 'test/one', input: question, tools: [weatherTool], tool_choice: 'required', stream: true }));
    const types = events.map((event) => event.type);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(types.slice(-3)).toEqual(['response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    const deltas = events.flatMap((event) => (event.type === 'response.function_call_arguments.delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(expectedArguments);
    const added = events[2];
    const itemId = added?.type === 'response.output_item.added' ? added.item.id : undefined;
    for (const event of events) {
      if (event.type === 'response.function_call_arguments.delta') expect(event).toMatchObject({ item_id: itemId, output_index: 0 });
    }
    const response = lastResponse(events);
    expect(response.tool_choice).toBe('required');
    const call = response.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: expectedArguments, status: 'completed' });

    const answer = await collect(
      await client.responses.create({
        model: 'test/one',
        tools: [weatherTool],
        stream: true,
        input: [{ role: 'user', content: question }, call, { type: 'function_call_output', call_id: call.call_id, output: toolResult }],
      }),
    );
    expect(lastResponse(answer).status).toBe('completed');
    expect(answer.some((event) => event.type === 'response.output_text.delta')).toBe(true);
    expect(answer.some((event) => event.type.startsWith('response.function_call'))).toBe(false);
  });
});
