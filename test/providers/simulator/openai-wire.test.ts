// The OpenAI wire, driven by the official `openai` client over real HTTP.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../../cli/serve.ts';
import { createSimulator } from '../../../lib/providers/simulator/index.ts';
import { post, testCatalog } from './support.ts';

// "You are terse." (14) + "Say hello to the yard." (22) = 36 characters: 9 prompt tokens.
const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello to the yard.' },
];

const weatherTools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' }, note: { type: 'string' } },
        required: ['city', 'days', 'metric'],
      },
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } } },
];

describe('simulator, OpenAI wire', () => {
  const simulator = createSimulator({ catalog: testCatalog({ outputTokens: 5 }), now: () => 1_750_000_000_000 });
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await serve(simulator.handle);
    client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'not-checked', maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('streams five word chunks, the finish chunk and the include_usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-sim',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const first = chunks[0];
    expect(first?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const words = chunks.slice(1, 6).map((chunk) => chunk.choices[0]?.delta.content);
    expect(words).toHaveLength(5);
    for (const word of words) expect(word).toMatch(/^ ?[a-z]+$/);
    expect(chunks[6]?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usageChunk = chunks[7];
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 5,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    expect(chunks).toHaveLength(8);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: first?.id, object: 'chat.completion.chunk', created: 1_750_000_000, model: 'gpt-sim' });
      expect(chunk.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    }
    expect(first?.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
  });

  it('answers the same prompt with the same words, streamed or not', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-sim', messages, stream: true });
    let streamed = '';
    for await (const chunk of stream) {
      expect(chunk.usage).toBeUndefined();
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    const completion = await client.chat.completions.create({ model: 'gpt-sim', messages });

    expect(completion.choices[0]?.message.content).toBe(streamed);
    expect(streamed.split(' ')).toHaveLength(5);
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-sim',
      created: 1_750_000_000,
      service_tier: 'default',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', refusal: null, annotations: [] } }],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 5,
        total_tokens: 14,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
  });

  it('gives a different prompt different words', async () => {
    const one = await client.chat.completions.create({ model: 'gpt-sim', messages: [{ role: 'user', content: 'first prompt' }] });
    const other = await client.chat.completions.create({ model: 'gpt-sim', messages: [{ role: 'user', content: 'another prompt entirely' }] });
    expect(one.choices[0]?.message.content).not.toBe(other.choices[0]?.message.content);
  });

  it('stops at max_completion_tokens with finish_reason length', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-sim', messages, max_completion_tokens: 2 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(2);
    expect(completion.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });

    const stream = await client.chat.completions.create({ model: 'gpt-sim', messages, max_tokens: 3, stream: true, stream_options: { include_usage: true } });
    const finishes: (string | null | undefined)[] = [];
    let completionTokens: number | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(finishes).toEqual(['length']);
    expect(completionTokens).toBe(3);
  });

  it('streams a call of the first tool as argument fragments, arguments built from its schema', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-sim',
      messages,
      tools: weatherTools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const starts: { id?: string; name?: string }[] = [];
    const fragments: string[] = [];
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.id !== undefined) starts.push({ id: call.id, name: call.function?.name });
      if (call?.function?.arguments) fragments.push(call.function.arguments);
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }

    expect(starts).toEqual([{ id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/), name: 'get_weather' }]);
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(''))).toEqual({ city: 'example', days: 1, metric: true });
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: fragments.length });
  });

  it('calls the tool tool_choice forces, and answers a tool result with text', async () => {
    const forced = await client.chat.completions.create({
      model: 'gpt-sim',
      messages,
      tools: weatherTools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const call = forced.choices[0]?.message.tool_calls?.[0];
    expect(forced.choices[0]?.finish_reason).toBe('tool_calls');
    expect(forced.choices[0]?.message.content).toBeNull();
    expect(call?.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : call).toEqual(['get_time', { zone: 'example' }]);

    const answered = await client.chat.completions.create({
      model: 'gpt-sim',
      tools: weatherTools,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"zone":"example"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '12:00' },
      ],
    });
    expect(answered.choices[0]?.finish_reason).toBe('stop');
    expect(answered.choices[0]?.message.tool_calls).toBeUndefined();
    expect(answered.choices[0]?.message.content?.split(' ')).toHaveLength(5);
    // 36 + "get_time" (8) + '{"zone":"example"}' (18) + "12:00" (5) = 67 characters.
    expect(answered.usage?.prompt_tokens).toBe(17);
  });

  it('answers with text when tool_choice is none', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-sim', messages, tools: weatherTools, tool_choice: 'none' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
  });

  it('refuses an invalid body with a 400 naming the field, in OpenAI error shape', async () => {
    const error: unknown = await client.chat.completions
      .create({ model: 'gpt-sim', messages: [] })
      .catch((caught: unknown) => caught);
    if (!(error instanceof OpenAI.BadRequestError)) throw new Error(`expected a BadRequestError, got ${String(error)}`);
    expect(error.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('messages'),
      param: null,
      code: null,
    });
  });

  it('refuses a forced tool that is not in tools', async () => {
    const response = await post(simulator, '/sim-openai/chat/completions', {
      model: 'gpt-sim',
      messages,
      tools: weatherTools,
      tool_choice: { type: 'function', function: { name: 'missing' } },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('missing') } });
  });

  it('answers 404 in OpenAI error shape for an unknown path or an unknown provider', async () => {
    const wrongPath = await post(simulator, '/sim-openai/v1/edits', { model: 'gpt-sim', input: 'x' });
    expect(wrongPath.status).toBe(404);
    expect(await wrongPath.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null } });

    const notSimulated = await post(simulator, '/real-openai/chat/completions', { model: 'gpt-sim', messages });
    expect(notSimulated.status).toBe(404);
    expect(await notSimulated.json()).toMatchObject({ error: { message: expect.stringContaining('real-openai') } });
    expect(simulator.stats('real-openai').requests).toBe(0);
  });

  it('counts the completed replies', () => {
    const stats = simulator.stats('sim-openai');
    expect(stats.completed).toBeGreaterThanOrEqual(10);
    expect(stats.aborted).toBe(0);
    expect(stats.requests).toBe(stats.completed + stats.failed);
  });
});
