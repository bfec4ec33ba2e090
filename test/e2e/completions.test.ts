// POST /completions end to end with the official openai client: streamed
// (`text_completion` chunks, a usage chunk with cost, [DONE]) and not, with
// chat's routing, fallback, credits and records; the fields it cannot honour
// refused with a 400 naming them, before any upstream call or credit.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, startTestGateway, testCatalog, usageRecords } from '../support/local-gateway.ts';

let gateway: LocalGateway;
let client: OpenAI;

function completionsCatalog(): unknown {
  const base = testCatalog() as { providers: Record<string, unknown>; models: { id: string; endpoints: Record<string, unknown>[] }[] };
  const [one] = base.models.filter((model) => model.id === 'test/one');
  const [down] = base.models.filter((model) => model.id === 'test/down');
  const fallback = { id: 'test/fallback', name: 'Test Fallback', created: 1767225600, endpoints: [{ ...down?.endpoints[0], pricing: { prompt: '0.5', completion: '0.5' } }, one?.endpoints[0]] };
  return { ...base, models: [...base.models, fallback] };
}

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: completionsCatalog() });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

/** test/one costs 2 µ$ per prompt token and 4 µ$ per completion token. */
const micros = (usage: { prompt_tokens: number; completion_tokens: number }): number => usage.prompt_tokens * 2 + usage.completion_tokens * 4;

describe('POST /completions with the openai client', () => {
  it('streams text_completion chunks with the text, a finish, a usage chunk with cost, and moves the balance by exactly that', async () => {
    const before = await balance(gateway);
    const stream = await client.completions.create({ model: 'test/one', prompt: 'Once upon a time', stream: true, max_tokens: 50 });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    for (const chunk of chunks) {
      expect(chunk.object).toBe('text_completion');
      expect(chunk.model).toBe('test/one');
      expect((chunk as unknown as { provider: string }).provider).toBe('Sim A');
    }
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const text = chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('');
    expect(text.trim().split(' ')).toHaveLength(12);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const usage = last?.usage as OpenAI.CompletionUsage & { cost: number };
    expect(usage.completion_tokens).toBe(12);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.cost).toBeCloseTo(micros(usage) / 1_000_000, 12);
    expect(before - (await balance(gateway))).toBe(micros(usage));

    const record = (await usageRecords(gateway)).find((entry) => entry.id === chunks[0]?.id);
    expect(record).toMatchObject({ status: 200, streamed: true, model: 'test/one', provider: 'Sim A', cost_micros: micros(usage), finish_reason: 'stop' });
  });

  it('answers without streaming with one text_completion object, the max_tokens cap applied', async () => {
    const before = await balance(gateway);
    const { data: completion, response } = await client.completions.create({ model: 'test/one', prompt: ['Write a line'], max_tokens: 5, temperature: 0.2, top_p: 0.9, stop: ['\n\n'] }).withResponse();

    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^gen-/);
    expect(response.headers.get('x-generation-id')).toBe(completion.id);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.text.trim().split(' ')).toHaveLength(5);
    expect(completion.choices[0]?.finish_reason).toBe('length');
    const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
    expect(usage.completion_tokens).toBe(5);
    expect(before - (await balance(gateway))).toBe(micros(usage));
  });

  it('falls over to the next endpoint before the first token, as chat does, under /v1 too', async () => {
    const v1 = new OpenAI({ baseURL: gateway.baseUrl.replace('/api/v1', '/v1'), apiKey: gateway.keys.apiKey, maxRetries: 0 });
    const downBefore = gateway.simulator.stats('sim-down').requests;
    const completion = await v1.completions.create({ model: 'test/fallback', prompt: 'Hello', provider: { sort: 'price' } } as OpenAI.CompletionCreateParamsNonStreaming);

    expect((completion as unknown as { provider: string }).provider).toBe('Sim A');
    expect(gateway.simulator.stats('sim-down').requests).toBe(downBefore + 1);
    const record = (await usageRecords(gateway)).find((entry) => entry.id === completion.id);
    expect(record?.fallback).toBe(true);
    expect(record?.attempts.map((attempt) => attempt.provider)).toEqual(['Sim Down', 'Sim A']);
  });
});

describe('bad /completions input', () => {
  const valid = { model: 'test/one', prompt: 'Hi' };
  const cases: { name: string; body: unknown; field: string }[] = [
    { name: 'no prompt', body: { model: 'test/one' }, field: 'prompt' },
    { name: 'a prompt of the wrong type', body: { ...valid, prompt: 42 }, field: 'prompt' },
    { name: 'two prompts', body: { ...valid, prompt: ['one', 'two'] }, field: 'prompt' },
    { name: 'a token prompt', body: { ...valid, prompt: [15496, 11, 995] }, field: 'prompt' },
    { name: 'a suffix', body: { ...valid, suffix: ' and then' }, field: 'suffix' },
    { name: 'n above 1', body: { ...valid, n: 2 }, field: 'n' },
    { name: 'n of the wrong type', body: { ...valid, n: 'one' }, field: 'n' },
    { name: 'best_of above 1', body: { ...valid, best_of: 3 }, field: 'best_of' },
    { name: 'echo', body: { ...valid, echo: true }, field: 'echo' },
    { name: 'logprobs', body: { ...valid, logprobs: 2 }, field: 'logprobs' },
    { name: 'max_tokens out of range', body: { ...valid, max_tokens: 0 }, field: 'max_tokens' },
    { name: 'temperature of the wrong type', body: { ...valid, temperature: 'warm' }, field: 'temperature' },
    { name: 'temperature out of range', body: { ...valid, temperature: 3 }, field: 'temperature' },
    { name: 'top_p out of range', body: { ...valid, top_p: 1.5 }, field: 'top_p' },
    { name: 'too many stop sequences', body: { ...valid, stop: ['a', 'b', 'c', 'd', 'e'] }, field: 'stop' },
    { name: 'stream of the wrong type', body: { ...valid, stream: 'yes' }, field: 'stream' },
    { name: 'no model', body: { prompt: 'Hi' }, field: 'model' },
  ];

  it.each(cases)('$name is a 400 naming `$field`, with no upstream call and no credit taken', async ({ body, field }) => {
    const before = await balance(gateway);
    const upstreamBefore = gateway.simulator.stats('sim-a').requests;

    const response = await fetch(`${gateway.baseUrl}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify(body),
    });
    const reply = (await response.json()) as { error: { code: number; message: string; metadata: { field?: string } } };

    expect(response.status).toBe(400);
    expect(reply.error.metadata.field).toBe(field);
    expect(reply.error.message).toContain(`\`${field}\``);
    expect(gateway.simulator.stats('sim-a').requests).toBe(upstreamBefore);
    expect(await balance(gateway)).toBe(before);
  });
});
