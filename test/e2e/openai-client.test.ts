// The official `openai` client, pointed at the local gateway's /api/v1,
// gets streamed and non-streamed replies from a simulated model, with the
// fields OpenRouter adds, the cost counted, the balance moved and one usage
// record per request.
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

/** test/one costs 2 µ$ per prompt token and 4 µ$ per completion token. */
const costOf = (usage: { prompt_tokens: number; completion_tokens: number }): number =>
  (usage.prompt_tokens * 2 + usage.completion_tokens * 4) / 1_000_000;

describe('the openai client against the local gateway', () => {
  it('streams a reply with OpenRouter ids, provider, model and usage with cost', async () => {
    const before = await balance(gateway);
    const stream = await client.chat.completions.create({
      model: 'test/one',
      messages: [{ role: 'user', content: 'Say something nice' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text.split(' ').filter((word) => word !== '')).toHaveLength(12);
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    for (const chunk of chunks) {
      expect(chunk.model).toBe('test/one');
      expect((chunk as unknown as { provider: string }).provider).toBe('Sim A');
    }
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason != null);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const usage = last?.usage as OpenAI.CompletionUsage & { cost: number };
    expect(usage.completion_tokens).toBe(12);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.cost).toBeCloseTo(costOf(usage), 12);
    expect(before - (await balance(gateway))).toBe(Math.round(usage.cost * 1_000_000));
  });

  it('answers without streaming, with the same fields', async () => {
    const before = await balance(gateway);
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'test/one', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(completion.id).toMatch(/^gen-/);
    expect(response.headers.get('x-generation-id')).toBe(completion.id);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('test/one');
    expect((completion as unknown as { provider: string }).provider).toBe('Sim A');
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(12);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
    expect(usage.cost).toBeCloseTo(costOf(usage), 12);
    expect(before - (await balance(gateway))).toBe(Math.round(usage.cost * 1_000_000));
  });

  it('sets X-Generation-Id on streamed responses too', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'test/one', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    const ids: string[] = [];
    for await (const chunk of stream) ids.push(chunk.id);
    expect(response.headers.get('x-generation-id')).toBe(ids[0]);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
  });

  it('leaves exactly one usage record per request, with tokens and cost', async () => {
    const completion = await client.chat.completions.create({ model: 'test/one', messages: [{ role: 'user', content: 'Count me' }] });
    const records = (await usageRecords(gateway)).filter((record) => record.id === completion.id);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      model_requested: 'test/one',
      model: 'test/one',
      provider: 'Sim A',
      status: 200,
      finish_reason: 'stop',
      completion_tokens: 12,
      cost_micros: Math.round((completion.usage as unknown as { cost: number }).cost * 1_000_000),
      account_id: gateway.keys.accountId,
    });
    expect(JSON.stringify(record)).not.toContain('Count me');
  });

  it('lists the catalog in OpenRouter’s Model shape', async () => {
    const models = await client.models.list();
    const one = models.data.find((model) => model.id === 'test/one') as unknown as Record<string, unknown>;
    expect(one).toMatchObject({
      id: 'test/one',
      name: 'Test One',
      context_length: 32_000,
      pricing: { prompt: '0.000002', completion: '0.000004' },
      architecture: { input_modalities: ['text', 'image'], output_modalities: ['text'] },
    });
    expect(one.supported_parameters).toContain('tools');
  });
});
