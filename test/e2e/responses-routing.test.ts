// POST /responses goes down the same request path as chat completions: a
// recording proxy shows the upstream got the translated chat request;
// fallback before the commit point serves the reply from the next provider
// with both attempts recorded; the balance moves by exactly the recorded
// cost; a failure after the stream began is one `response.failed`; and a
// request the door refuses reaches no upstream and moves no credit.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, testCatalog, usageRecords } from '../support/local-gateway.ts';
import { startProvidersGateway, startRecordingProxy, type RecordingProxy } from '../support/providers-upstreams.ts';

const params = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'tools', 'tool_choice', 'response_format', 'structured_outputs'];
const endpoint = (provider: string, prices: [string, string]) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: prices[0], completion: prices[1] },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: params,
});

function catalog(proxy: RecordingProxy): unknown {
  const document = testCatalog({
    unavailable: { failure: { mode: 'status', status: 503 } },
    healthy: {},
    dropping: { failure: { mode: 'drop', afterTokens: 3 } },
  }) as { providers: Record<string, Record<string, unknown>>; models: unknown[] };
  // sim-a is reached through the recording proxy, to read what it was sent.
  document.providers['sim-a'] = { ...document.providers['sim-a'], baseUrl: proxy.baseUrlOf('sim-a') };
  document.models.push({ id: 'test/flaky', name: 'Test Flaky', created: 1767225600, endpoints: [endpoint('unavailable', ['1', '1']), endpoint('healthy', ['3', '5'])] });
  // An Anthropic-wire provider that thinks when asked to, also behind the proxy.
  document.providers.thinker = {
    name: 'Sim Thinker',
    kind: 'anthropic',
    baseUrl: proxy.baseUrlOf('thinker'),
    simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 },
  };
  document.models.push({ id: 'test/thinker', name: 'Test Thinker', created: 1767225600, endpoints: [{ ...endpoint('thinker', ['3', '15']), supportedParameters: [...params, 'reasoning'] }] });
  return document;
}

let proxy: RecordingProxy;
let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  gateway = await startProvidersGateway(catalog(proxy));
  proxy.forwardTo(gateway.simulatorUrl);
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await proxy.close();
});

const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');
const usageCost = (usage: unknown): number => Math.round((usage as { cost: number }).cost * 1_000_000);
const flaky = { model: 'test/flaky', input: 'Tell me a story', provider: { order: ['unavailable', 'healthy'] } };

async function collect(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>): Promise<OpenAI.Responses.ResponseStreamEvent[]> {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('the upstream request', () => {
  it('is the translated chat request: instructions, items, tools, tool choice, text format and limits', async () => {
    const sent = proxy.received.length;
    await client.responses.create({
      model: 'test/one',
      instructions: 'Answer in French',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"c":3}' },
      ],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
      tool_choice: 'auto',
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 50,
      temperature: 0.3,
    });
    const [upstream] = proxy.received.slice(sent);
    expect(upstream?.path).toBe('/chat/completions');
    expect(upstream?.body).toMatchObject({
      model: 'sim-a-model',
      messages: [
        { role: 'system', content: 'Answer in French' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"c":3}' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false } }],
      tool_choice: 'auto',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      max_completion_tokens: 50,
      temperature: 0.3,
    });
    expect(JSON.stringify(upstream?.body)).not.toMatch(/"input"|"instructions"|"max_output_tokens"/);
  });
});

describe('reasoning on an Anthropic-wire model', () => {
  const weather: OpenAI.Responses.FunctionTool = {
    type: 'function',
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: false,
  };
  const question = 'Weather in Oslo?';

  it('streams the thinking as a reasoning item with its signature, then the tool call', async () => {
    const events = await collect(await client.responses.create({ model: 'test/thinker', input: question, tools: [weather], reasoning: { effort: 'high' }, stream: true }));
    const types = events.map((event) => event.type);
    expect(types.slice(2, 4)).toEqual(['response.output_item.added', 'response.reasoning_summary_part.added']);
    const thinking = events.flatMap((event) => (event.type === 'response.reasoning_summary_text.delta' ? [event.delta] : [])).join('');
    expect(thinking).not.toBe('');
    const last = events.at(-1);
    const output = last?.type === 'response.completed' ? last.response.output : [];
    expect(output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: thinking }], format: 'anthropic-claude-v1', signature: expect.any(String) },
      { type: 'function_call', name: 'get_weather', arguments: '{"city":"example"}' },
    ]);
  });

  it('sends an earlier reasoning item back upstream as a signed thinking block before the tool call', async () => {
    const first = await client.responses.create({ model: 'test/thinker', input: question, tools: [weather], reasoning: { effort: 'high' } });
    const [reasoning, call] = first.output as [OpenAI.Responses.ResponseReasoningItem & { signature: string }, OpenAI.Responses.ResponseFunctionToolCall];
    expect(reasoning.type).toBe('reasoning');
    const sent = proxy.received.length;

    const second = await client.responses.create({
      model: 'test/thinker',
      tools: [weather],
      reasoning: { effort: 'high' },
      input: [{ role: 'user', content: question }, reasoning, call, { type: 'function_call_output', call_id: call.call_id, output: '{"c":3}' }],
    });

    expect(second.status).toBe('completed');
    expect(second.output.at(-1)).toMatchObject({ type: 'message' });
    const [upstream] = proxy.received.slice(sent);
    expect(upstream?.path).toBe('/v1/messages');
    expect((upstream?.body as { messages: unknown[] }).messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: reasoning.summary[0]?.text, signature: reasoning.signature },
        { type: 'tool_use', id: call.call_id, name: 'get_weather', input: { city: 'example' } },
      ],
    });
  });
});

describe('fallback before the commit point', () => {
  it('streams the reply from the next provider when the first answers 503, both attempts recorded', async () => {
    const tried = gateway.simulator.stats('unavailable').requests;
    const events = await collect(await client.responses.create({ ...flaky, stream: true } as OpenAI.Responses.ResponseCreateParamsStreaming));

    expect(events.some((event) => event.type === 'response.failed' || event.type === 'error')).toBe(false);
    const last = events.at(-1);
    const response = last?.type === 'response.completed' ? last.response : undefined;
    expect(response).toMatchObject({ status: 'completed', model: 'test/flaky', provider: 'Sim healthy' });
    expect(words(response?.output_text ?? events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join(''))).toHaveLength(12);
    expect(gateway.simulator.stats('unavailable').requests).toBe(tried + 1);
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === response?.id);
    expect(record).toMatchObject({ provider: 'Sim healthy', status: 200, fallback: true, streamed: true });
    expect(record?.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.error_code])).toEqual([
      ['Sim unavailable', 503, 'provider_overloaded'],
      ['Sim healthy', 200, null],
    ]);
  });

  it('answers a JSON request from the next provider, and the balance moves by exactly the recorded cost', async () => {
    const before = await balance(gateway);
    const response = await client.responses.create(flaky as OpenAI.Responses.ResponseCreateParamsNonStreaming);

    expect(response).toMatchObject({ status: 'completed', model: 'test/flaky', provider: 'Sim healthy' });
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === response.id);
    expect(record?.attempts.map((attempt) => attempt.provider)).toEqual(['Sim unavailable', 'Sim healthy']);
    // The provider that served sets the price: 3 µ$ per input token, 5 per output token.
    const usage = response.usage as OpenAI.Responses.ResponseUsage;
    expect(record?.cost_micros).toBe(usage.input_tokens * 3 + usage.output_tokens * 5);
    expect(usageCost(usage)).toBe(record?.cost_micros);
    expect(before - (await balance(gateway))).toBe(record?.cost_micros);

    const generation = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(response.id)}`, { headers: { authorization: `Bearer ${gateway.keys.apiKey}` } });
    expect(generation.status).toBe(200);
    const { data } = (await generation.json()) as { data: { provider_name: string; provider_responses: { provider_name: string; status: number }[] } };
    expect(data.provider_name).toBe('Sim healthy');
    expect(data.provider_responses.map((attempt) => [attempt.provider_name, attempt.status])).toEqual([
      ['Sim unavailable', 503],
      ['Sim healthy', 200],
    ]);
  });
});

describe('failures', () => {
  it('ends a stream that breaks after it began with one response.failed, without upstream text', async () => {
    const events = await collect(await client.responses.create({ model: 'test/dropping', input: 'Go on', stream: true }));
    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    const response = last?.type === 'response.failed' ? last.response : undefined;
    expect(response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'Provider returned error (Sim dropping)' } });
    expect(response?.output).toMatchObject([{ type: 'message', status: 'incomplete' }]);
    expect(events.filter((event) => event.type === 'response.output_text.delta')).toHaveLength(3);
    expect(JSON.stringify(events)).not.toMatch(/simulat/i);
  });

  it('answers a failure of every provider with a 502 in the Responses error envelope, charging nothing', async () => {
    const before = await balance(gateway);
    const reply = await fetch(`${gateway.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify({ model: 'test/down', input: 'Hi' }),
    });
    expect(reply.status).toBe(502);
    expect(reply.headers.get('x-generation-id')).toMatch(/^gen-/);
    const body = (await reply.json()) as { error: Record<string, unknown>; metadata: Record<string, unknown> };
    expect(body.error).toEqual({ code: 'server_error', message: 'Provider returned error (Sim Down)', type: 'server_error', param: null });
    expect(body.metadata).toMatchObject({ error_type: 'provider_unavailable', provider_name: 'Sim Down' });
    expect(await balance(gateway)).toBe(before);
  });
});

describe('a refused request', () => {
  const upstreamRequests = (): number =>
    ['sim-a', 'sim-b', 'unavailable', 'healthy', 'dropping', 'sim-down', 'thinker'].reduce((sum, id) => sum + gateway.simulator.stats(id).requests, 0);
  const cases: { name: string; body: Record<string, unknown>; status: number; param: string; message: RegExp }[] = [
    { name: 'previous_response_id', body: { previous_response_id: 'resp_123' }, status: 400, param: 'previous_response_id', message: /stateless/ },
    { name: 'store: true', body: { store: true }, status: 400, param: 'store', message: /does not store/ },
    { name: 'an item_reference', body: { input: [{ type: 'item_reference', id: 'msg_1' }] }, status: 400, param: 'input[0].type', message: /item_reference/ },
    { name: 'a wrong type', body: { temperature: 'hot' }, status: 400, param: 'temperature', message: /`temperature`/ },
    { name: 'an out-of-range value', body: { top_p: 3 }, status: 400, param: 'top_p', message: /`top_p`/ },
    { name: 'a wrong field deep in the input', body: { input: [{ role: 'user', content: [{ type: 'input_text', text: 7 }] }] }, status: 400, param: 'input[0].content[0].text', message: /`input\[0\]\.content\[0\]\.text`/ },
    { name: 'an unknown model', body: { model: 'nobody/nothing' }, status: 400, param: 'model', message: /nobody\/nothing/ },
  ];

  it.each(cases)('$name gets $status naming the field, reaches no upstream and moves no balance', async ({ body, status, param, message }) => {
    const before = await balance(gateway);
    const upstream = upstreamRequests();
    const recordsBefore = (await usageRecords(gateway)).length;

    const error: unknown = await client.responses.create({ model: 'test/one', input: 'Hi', ...body } as OpenAI.Responses.ResponseCreateParamsNonStreaming).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.message).toMatch(message);
    expect(apiError.param).toBe(param);
    expect(apiError.code).toBe('invalid_prompt');
    expect(apiError.type).toBe('invalid_request_error');
    expect(upstreamRequests()).toBe(upstream);
    expect(await balance(gateway)).toBe(before);
    const records = await usageRecords(gateway);
    expect(records).toHaveLength(recordsBefore + 1);
    expect(records.at(-1)).toMatchObject({ status, cost_micros: 0 });
  });

  it('refuses a missing key with a 401 before reading the body', async () => {
    const upstream = upstreamRequests();
    const reply = await fetch(`${gateway.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"test/one","input":"Hi"}' });
    expect(reply.status).toBe(401);
    expect(await reply.json()).toMatchObject({ error: { code: 'server_error', type: 'invalid_request_error', message: expect.stringMatching(/auth/i) } });
    expect(upstreamRequests()).toBe(upstream);
  });
});
