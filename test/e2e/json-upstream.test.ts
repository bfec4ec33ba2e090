// A caller who asks for one JSON body is served from one JSON upstream reply
// where the provider kind is in `settings.jsonUpstream` (the OpenAI wire) and
// the reply is short (`settings.jsonUpstreamMaxTokens`), and from a stream
// assembled into one body elsewhere. The commit point holds
// either way: a JSON reply commits only once it is whole, so an upstream that
// drops mid-body is a failure before the commit point and falls over to the
// next provider; a streamed upstream commits at its first token, so a drop
// after it ends the body with `finish_reason: "error"`, billed for what came.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

const DELIVERED = 5;
const sim = (extra: Record<string, unknown> = {}) => ({ firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...extra });
const drop = { mode: 'drop', afterTokens: DELIVERED };
const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '2' },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens', 'temperature'],
});

const catalog = {
  providers: {
    'openai-dropping': { name: 'OpenAI Dropping', kind: 'openai', simulator: sim({ failure: drop }) },
    'openai-healthy': { name: 'OpenAI Healthy', kind: 'openai', simulator: sim() },
    'anthropic-dropping': { name: 'Anthropic Dropping', kind: 'anthropic', simulator: sim({ failure: drop }) },
    'anthropic-healthy': { name: 'Anthropic Healthy', kind: 'anthropic', simulator: sim() },
  },
  models: [
    { id: 'test/openai-wire', name: 'OpenAI wire', created: 1767225600, endpoints: [endpoint('openai-dropping'), endpoint('openai-healthy')] },
    { id: 'test/anthropic-wire', name: 'Anthropic wire', created: 1767225600, endpoints: [endpoint('anthropic-dropping'), endpoint('anthropic-healthy')] },
  ],
};

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: catalog, settings: { jsonUpstream: ['openai'] } });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const ask = (model: string, first: string, second: string) => ({
  model,
  // A short reply: asked for as one JSON reply where the wire allows.
  max_tokens: 50,
  messages: [{ role: 'user' as const, content: 'Tell me a story' }],
  provider: { order: [first, second] },
});

async function recordOf(id: string) {
  const records = (await usageRecords(gateway)).filter((record) => record.id === id);
  expect(records).toHaveLength(1);
  return records[0] as NonNullable<(typeof records)[0]>;
}

describe('a JSON request on a JSON upstream (OpenAI wire)', () => {
  it('falls over to the next provider when the first drops mid-body, billing only the answer', async () => {
    const before = await balance(gateway);
    const completion = await client.chat.completions.create(ask('test/openai-wire', 'openai-dropping', 'openai-healthy') as never);

    expect((completion as unknown as { provider: string }).provider).toBe('OpenAI Healthy');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(12);
    const record = await recordOf(completion.id);
    expect(record).toMatchObject({ provider: 'OpenAI Healthy', status: 200, fallback: true, completion_tokens: 12 });
    expect(record.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['OpenAI Dropping', 502],
      ['OpenAI Healthy', 200],
    ]);
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });

  it('still streams from the same upstream when the caller asks for a stream, and a drop ends it in-band', async () => {
    // The openai client throws at an error chunk: read the frames as sent.
    const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
      body: JSON.stringify({ ...ask('test/openai-wire', 'openai-dropping', 'openai-healthy'), stream: true }),
    });
    const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>);

    const content = chunks.filter((chunk) => chunk.error === undefined);
    expect(content).toHaveLength(DELIVERED);
    expect(chunks.at(-1)).toMatchObject({ provider: 'OpenAI Dropping', error: { code: 502 }, choices: [{ finish_reason: 'error' }] });
  });
});

describe('a JSON request on a streamed upstream (Anthropic wire)', () => {
  it('commits at the first token: a drop after it ends the body with finish_reason "error", billed for what was delivered', async () => {
    const before = await balance(gateway);
    const completion = await client.chat.completions.create(ask('test/anthropic-wire', 'anthropic-dropping', 'anthropic-healthy') as never);

    expect((completion as unknown as { provider: string }).provider).toBe('Anthropic Dropping');
    expect(completion.choices[0]?.finish_reason).toBe('error');
    expect(completion.choices[0]?.message.content?.split(' ').filter((word) => word !== '')).toHaveLength(DELIVERED);
    const record = await recordOf(completion.id);
    expect(record).toMatchObject({ provider: 'Anthropic Dropping', finish_reason: 'error', completion_tokens: DELIVERED, fallback: false });
    expect(before - (await balance(gateway))).toBe(record.cost_micros);
  });
});
