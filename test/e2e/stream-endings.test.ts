// How a generation ends, decided once for both deliveries (issue 19 point 3,
// issue 21 point 9), through the official openai client on the local gateway:
//
// - the request's deadline (settings.attempts.deadlineMs, shortened here)
//   passing mid-stream ends the stream with the door's in-band error and its
//   terminator, and is recorded as a timeout (408), not as a client that left;
//   the same for a JSON reply, and before the commit point;
// - a failure after the commit point tells the client its bill: the in-band
//   error carries the usage (with its cost) that the account is charged.
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { defaultSettings } from '../../lib/settings.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

const DEADLINE_MS = 3_000;
const DELIVERED = 5;
const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '0.5', completion: '1.5' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens', 'temperature'],
});
// Four tokens a second for two minutes: the first commits at once, the deadline passes mid-way.
const slow = { firstTokenMs: 0, tokensPerSecond: 4, outputTokens: 480 };
const catalog = {
  providers: {
    'slow-openai': { name: 'Slow OpenAI', kind: 'openai', simulator: slow },
    // The Anthropic wire is asked for a stream even for a JSON reply: it commits at its first token.
    'slow-anthropic': { name: 'Slow Anthropic', kind: 'anthropic', simulator: slow },
    dropping: { name: 'Dropping', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, failure: { mode: 'drop', afterTokens: DELIVERED } } },
  },
  models: [
    { id: 'test/slow', name: 'Slow', created: 1767225600, endpoints: [endpoint('slow-openai')] },
    { id: 'test/slow-claude', name: 'Slow Claude', created: 1767225600, endpoints: [endpoint('slow-anthropic')] },
    { id: 'test/dropping', name: 'Dropping', created: 1767225600, endpoints: [endpoint('dropping')] },
  ],
};

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: catalog, settings: { attempts: { ...defaultSettings.attempts, deadlineMs: DEADLINE_MS } } });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'Tell me a long story' }] });

async function recordOf(id: string): Promise<UsageRecord> {
  const records = (await usageRecords(gateway)).filter((record) => record.id === id);
  expect(records).toHaveLength(1);
  return records[0] as UsageRecord;
}

/** Every payload of a chat stream as the openai SDK parses it, the error chunk included (its `events` mode). */
async function chatPayloads(model: string): Promise<{ id: string; payloads: Record<string, unknown>[]; raw: string }> {
  const response = await client.chat.completions.create({ ...ask(model), stream: true }).asResponse();
  const raw = await response.clone().text();
  const payloads: Record<string, unknown>[] = [];
  for await (const payload of Stream.fromSSEResponse<Record<string, unknown>>(response, new AbortController(), client, false, 'events')) payloads.push(payload);
  return { id: response.headers.get('x-generation-id') ?? '', payloads, raw };
}

describe('the deadline passing', () => {
  it('mid-stream: the chat stream ends with its error chunk (finish_reason "error") and [DONE], recorded as a timeout', async () => {
    const { id, payloads, raw } = await chatPayloads('test/slow');

    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const last = payloads.at(-1) as Record<string, unknown>;
    expect(last).toMatchObject({ id, error: { code: 408 }, choices: [{ finish_reason: 'error' }] });
    expect(payloads.slice(0, -1).length).toBeGreaterThan(0);
    const record = await recordOf(id);
    expect(record).toMatchObject({ status: 408, error_code: 'timeout', finish_reason: 'error', cancelled: false, provider: 'Slow OpenAI' });
    // What was delivered before the deadline is billed, and the error chunk says so.
    expect(record.completion_tokens).toBeGreaterThan(0);
    expect((last.usage as { cost: number }).cost).toBeCloseTo(record.cost_micros / 1e6, 12);
  });

  it('mid-stream, as the openai client reads it: the chunks, then an APIError naming the deadline', async () => {
    const stream = await client.chat.completions.create({ ...ask('test/slow'), stream: true });
    let content = '';
    const failure = await (async () => {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);

    expect(content).not.toBe('');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toMatch(/deadline/);
  });

  it('on the Responses door: one response.failed, recorded as a timeout', async () => {
    const events: { type: string; response?: { status: string; error: { code: string } | null; id: string } }[] = [];
    for await (const event of await client.responses.create({ model: 'test/slow', input: 'Tell me a long story', stream: true })) events.push(event as (typeof events)[number]);

    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    expect(last?.response?.status).toBe('failed');
    const record = await recordOf(last?.response?.id.replace(/^resp_/, '') ?? '');
    expect(record).toMatchObject({ status: 408, error_code: 'timeout', cancelled: false });
  });

  it('while a JSON reply is read from a streamed upstream: the reply says so, recorded as a timeout', async () => {
    const { data: completion, response } = await client.chat.completions.create(ask('test/slow-claude')).withResponse();

    expect(response.status).toBe(200);
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'error' });
    expect(completion.choices[0]?.message.content).not.toBe('');
    expect(await recordOf(completion.id)).toMatchObject({ status: 408, error_code: 'timeout', cancelled: false, provider: 'Slow Anthropic' });
  });

  it('before the commit point (a JSON upstream still writing its one reply): a 408 timeout, nothing billed', async () => {
    const before = await balance(gateway);
    // A short reply (within settings.jsonUpstreamMaxTokens) is the one asked of a JSON upstream as one JSON reply.
    const failure = await client.chat.completions.create({ ...ask('test/slow'), max_tokens: 100 }).withResponse().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const apiError = failure as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(408);
    const record = await recordOf(apiError.headers?.get('x-generation-id') ?? '');
    expect(record).toMatchObject({ status: 408, error_code: 'timeout', cancelled: false, cost_micros: 0 });
    expect(await balance(gateway)).toBe(before);
  });
});

describe('a failure after the commit point tells the client its bill', () => {
  it('chat: the error chunk carries the usage, with the cost the account is charged', async () => {
    const before = await balance(gateway);
    const { id, payloads } = await chatPayloads('test/dropping');

    const last = payloads.at(-1) as { error?: unknown; usage?: { prompt_tokens: number; completion_tokens: number; cost: number } };
    expect(last.error).toMatchObject({ code: 502 });
    const record = await recordOf(id);
    expect(record.completion_tokens).toBe(DELIVERED);
    expect(last.usage).toMatchObject({ prompt_tokens: record.prompt_tokens, completion_tokens: DELIVERED });
    expect(last.usage?.cost).toBeCloseTo(record.cost_micros / 1e6, 12);
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });

  it('responses: response.failed carries response.usage, with the cost the account is charged', async () => {
    const before = await balance(gateway);
    const events: { type: string; response?: { id: string; usage: { output_tokens: number; cost: number } | null } }[] = [];
    for await (const event of await client.responses.create({ model: 'test/dropping', input: 'Tell me a story', stream: true })) events.push(event as (typeof events)[number]);

    const failed = events.at(-1);
    expect(failed?.type).toBe('response.failed');
    const record = await recordOf(failed?.response?.id.replace(/^resp_/, '') ?? '');
    expect(failed?.response?.usage).toMatchObject({ output_tokens: DELIVERED });
    expect(failed?.response?.usage?.cost).toBeCloseTo(record.cost_micros / 1e6, 12);
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });
});
