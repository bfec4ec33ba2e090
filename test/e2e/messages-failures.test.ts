// POST /messages when things go wrong, and what it costs when they go right:
// every refusal in Anthropic's error shape with the right status (bad
// fields, keys, credits, rate limits) and neither an upstream call nor a
// credit taken for it; fallback across providers before the first token;
// a failure after the stream began as an `event: error` frame; pings while
// waiting; and a balance that moves by exactly the usage record's cost.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { countPromptTokens } from '../../lib/providers/simulator/simulated-request.ts';
import { putKey, type KeyRecord } from '../../lib/store/keys.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

const sim = (extra: Record<string, unknown> = {}) => ({ firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...extra });
const endpoint = (provider: string, prompt: string, completion: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt, completion },
  contextLength: 64_000,
  maxCompletionTokens: 8_192,
  supportedParameters: ['temperature', 'top_p', 'top_k', 'max_tokens', 'stop', 'tools', 'tool_choice', 'reasoning'],
});
const model = (id: string, endpoints: unknown[]) => ({ id, name: id, created: 1767225600, endpoints });
const catalog = {
  providers: {
    'sim-anthropic': { name: 'Sim Anthropic', kind: 'anthropic', simulator: sim() },
    'sim-openai': { name: 'Sim OpenAI', kind: 'openai', simulator: sim() },
    'sim-overloaded': { name: 'Sim Overloaded', kind: 'anthropic', simulator: sim({ failure: { mode: 'status', status: 529 } }) },
    'sim-unavailable': { name: 'Sim Unavailable', kind: 'openai', simulator: sim({ failure: { mode: 'status', status: 503 } }) },
    'sim-drop': { name: 'Sim Drop', kind: 'anthropic', simulator: sim({ failure: { mode: 'drop', afterTokens: 3 } }) },
    'sim-slow': { name: 'Sim Slow', kind: 'openai', simulator: sim({ firstTokenMs: 300 }) },
  },
  models: [
    model('test/claude', [endpoint('sim-anthropic', '3', '15')]),
    model('test/gpt', [endpoint('sim-openai', '2', '4')]),
    model('test/fallback', [endpoint('sim-overloaded', '1', '1'), endpoint('sim-unavailable', '1', '1'), endpoint('sim-anthropic', '3', '15')]),
    model('test/drop', [endpoint('sim-drop', '1', '1')]),
    model('test/slow', [endpoint('sim-slow', '1', '1')]),
  ],
};

let gateway: LocalGateway;
let client: Anthropic;

async function addKey(fields: Partial<KeyRecord>): Promise<string> {
  const key = generateApiKey();
  const now = new Date().toISOString();
  await putKey(gateway.table, {
    hash: await hashApiKey(key),
    kind: 'inference',
    accountId: gateway.keys.accountId,
    name: 'test key',
    label: keyLabel(key),
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    requestsPerMinute: null,
    ...fields,
  });
  return key;
}

beforeAll(async () => {
  // Pings start after 50 ms of waiting: only the slow provider keeps a stream waiting that long.
  gateway = await startTestGateway({ catalogDocument: catalog, settings: { keepAlive: { firstAfterMs: 50, intervalMs: 60_000 } } });
  client = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

interface ErrorReply {
  status: number;
  headers: Headers;
  body: { type: string; error: { type: string; message: string }; request_id: string | null };
}

async function post(body: string, headers: Record<string, string>): Promise<ErrorReply> {
  const response = await fetch(`${gateway.baseUrl}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body,
  });
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, headers: response.headers, body: (await response.json()) as ErrorReply['body'] };
}

const valid = { model: 'test/claude', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
const withKey = (): Record<string, string> => ({ 'x-api-key': gateway.keys.apiKey });
const upstreamRequests = (): number => ['sim-anthropic', 'sim-openai'].reduce((sum, id) => sum + gateway.simulator.stats(id).requests, 0);

/** Runs a request that must be refused: no upstream call, no credit moved, one usage record with its status. */
async function refused(send: () => Promise<ErrorReply>): Promise<ErrorReply> {
  const before = await balance(gateway);
  const upstreamBefore = upstreamRequests();
  const recordsBefore = (await usageRecords(gateway)).length;
  const reply = await send();
  expect(upstreamRequests()).toBe(upstreamBefore);
  expect(await balance(gateway)).toBe(before);
  const records = await usageRecords(gateway);
  expect(records).toHaveLength(recordsBefore + 1);
  expect(records.at(-1)).toMatchObject({ status: reply.status, cost_micros: 0 });
  expect(reply.body.type).toBe('error');
  expect(reply.body.request_id).toMatch(/^gen-/);
  expect(reply.body.request_id).toBe(reply.headers.get('x-generation-id'));
  return reply;
}

const badBodies: [name: string, body: unknown, field: string][] = [
  ['no max_tokens', { model: 'test/claude', messages: valid.messages }, 'max_tokens'],
  ['max_tokens of 0', { ...valid, max_tokens: 0 }, 'max_tokens'],
  ['no model', { max_tokens: 64, messages: valid.messages }, 'model'],
  ['content of a wrong type', { ...valid, messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
  ['a tool_result without its id', { ...valid, messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }, 'messages[0].content[0].tool_use_id'],
  ['temperature above 1', { ...valid, temperature: 1.2 }, 'temperature'],
  ['top_k as a string', { ...valid, top_k: 'many' }, 'top_k'],
  ['a thinking budget of max_tokens', { ...valid, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }, 'thinking.budget_tokens'],
  ['tool_choice naming no tool', { ...valid, tool_choice: { type: 'tool', name: 'ghost' } }, 'tool_choice.name'],
  ['a streamed request with a bad field', { ...valid, stream: true, stop_sequences: 'END' }, 'stop_sequences'],
];

describe('a rejected request gets Anthropic’s error shape and reaches no upstream', () => {
  it.each(badBodies)('%s: 400 invalid_request_error naming the field', async (_name, body, field) => {
    const reply = await refused(() => post(JSON.stringify(body), withKey()));
    expect(reply.status).toBe(400);
    expect(reply.body.error.type).toBe('invalid_request_error');
    expect(reply.body.error.message).toContain(`\`${field}\``);
  });

  it.each([
    ['malformed JSON', '{"model": ', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['an unknown model', JSON.stringify({ ...valid, model: 'nobody/nothing' }), /nobody\/nothing is not a valid model ID/],
  ])('%s: 400 invalid_request_error', async (_name, body, message) => {
    const reply = await refused(() => post(body, withKey()));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({ type: 'invalid_request_error', message: expect.stringMatching(message) });
  });

  it('no key: 401 authentication_error', async () => {
    const reply = await refused(() => post(JSON.stringify(valid), {}));
    expect([reply.status, reply.body.error.type]).toEqual([401, 'authentication_error']);
  });

  it('an unknown key in x-api-key: 401 authentication_error', async () => {
    const reply = await refused(() => post(JSON.stringify(valid), { 'x-api-key': generateApiKey() }));
    expect([reply.status, reply.body.error.type, reply.body.error.message]).toEqual([401, 'authentication_error', 'Unknown API key']);
  });

  it('a management key or a disabled key: 403 permission_error', async () => {
    const management = await refused(() => post(JSON.stringify(valid), { 'x-api-key': gateway.keys.managementKey }));
    expect([management.status, management.body.error.type]).toEqual([403, 'permission_error']);
    const disabled = await addKey({ disabled: true });
    const reply = await refused(() => post(JSON.stringify(valid), { 'x-api-key': disabled }));
    expect([reply.status, reply.body.error.type]).toEqual([403, 'permission_error']);
  });

  it('a key whose limit cannot cover the worst case: 402 billing_error, and the SDK throws its 402', async () => {
    const poor = await addKey({ limitMicros: 1 });
    const reply = await refused(() => post(JSON.stringify(valid), { 'x-api-key': poor }));
    expect([reply.status, reply.body.error.type]).toEqual([402, 'billing_error']);
    expect(reply.body.error.message).toMatch(/limit/);

    const sdk = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: poor, maxRetries: 0 });
    const thrown = await sdk.messages.create(valid).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Anthropic.APIError);
    expect((thrown as InstanceType<typeof Anthropic.APIError>).status).toBe(402);
  });

  it('a key over its rate limit: 429 rate_limit_error with Retry-After, and the SDK’s RateLimitError', async () => {
    const limited = await addKey({ requestsPerMinute: 1 });
    const sdk = new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: limited, maxRetries: 0 });
    // A minute boundary may reset the window once; by the third request within a minute the limit holds.
    let thrown: unknown;
    for (let attempt = 0; attempt < 3 && thrown === undefined; attempt++) {
      thrown = await sdk.messages.create(valid).then(
        () => undefined,
        (error: unknown) => error,
      );
    }
    expect(thrown).toBeInstanceOf(Anthropic.RateLimitError);
    const error = thrown as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringMatching(/Rate limit exceeded/) } });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('fallback before the first token', () => {
  // OpenRouter's `provider` extra, which the SDK's types do not know: hence the casts below.
  const order = { provider: { order: ['sim-overloaded', 'sim-unavailable', 'sim-anthropic'] } };
  const ask = { model: 'test/fallback', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Fall over' }], ...order };

  async function expectAttempts(id: string, streamed: boolean): Promise<void> {
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === id);
    expect(record).toMatchObject({ status: 200, provider: 'Sim Anthropic', fallback: true, streamed });
    expect(record?.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['Sim Overloaded', 529],
      ['Sim Unavailable', 503],
      ['Sim Anthropic', 200],
    ]);
  }

  it('a stream: the 529 and the 503 fall over to the next provider, one 200 reply, every attempt in the record', async () => {
    const message = await client.messages.stream(ask as Anthropic.MessageStreamParams).finalMessage();
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('test/fallback');
    await expectAttempts(message.id, true);
  });

  it('one JSON body, the same way', async () => {
    const message = await client.messages.create(ask as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content.map((block) => block.type)).toEqual(['text']);
    await expectAttempts(message.id, false);
  });
});

describe('billing', () => {
  it.each([
    ['test/claude', false, 3, 15],
    ['test/gpt', true, 2, 4],
  ] as const)('%s (streamed: %s): the balance moves by exactly the record’s cost, which the reported usage prices', async (name, stream, promptPrice, completionPrice) => {
    const before = await balance(gateway);
    const params = { model: name, max_tokens: 100, system: 'You are terse.', messages: [{ role: 'user' as const, content: 'Bill me' }] };
    const message = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
    const after = await balance(gateway);

    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === message.id);
    const input = countPromptTokens(['You are terse.', 'Bill me']);
    expect(message.usage).toMatchObject({ input_tokens: input, output_tokens: 12 });
    expect(record).toMatchObject({ prompt_tokens: input, completion_tokens: 12, cost_micros: input * promptPrice + 12 * completionPrice });
    expect(before - after).toBe(record?.cost_micros);
  });
});

/** A raw stream's frames as [event, data]. */
async function rawStream(body: unknown): Promise<[string, string][]> {
  const response = await fetch(`${gateway.baseUrl}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...withKey() },
    body: JSON.stringify({ ...(body as object), stream: true }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return (await response.text())
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [event = '', data = ''] = frame.split('\n');
      return [event.replace(/^event: /, ''), data.replace(/^data: /, '')];
    });
}

describe('after the stream began', () => {
  it('a dropped upstream ends the stream with one error event (no message_stop), the usage billed just before it; the SDK throws it', async () => {
    const frames = await rawStream({ ...valid, model: 'test/drop' });
    expect(frames.map(([event]) => event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'message_delta',
      'error',
    ]);
    expect(JSON.parse(frames.at(-1)?.[1] ?? '')).toEqual({ type: 'error', error: { type: 'api_error', message: 'Provider returned error (Sim Drop)' } });
    // Anthropic's error event has no usage: what the account is charged goes in the message_delta before it.
    const delta = JSON.parse(frames.at(-2)?.[1] ?? '') as { delta: unknown; usage: { output_tokens: number } };
    expect(delta.delta).toEqual({ stop_reason: null, stop_sequence: null });
    const dropped = (await usageRecords(gateway)).filter((record) => record.provider === 'Sim Drop' && record.streamed);
    expect(dropped).toHaveLength(1);
    expect(delta.usage.output_tokens).toBe(dropped[0]?.completion_tokens);
    expect(delta.usage.output_tokens).toBeGreaterThan(0);

    const thrown = await client.messages
      .stream({ ...valid, model: 'test/drop' })
      .finalMessage()
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Anthropic.APIError);
    expect((thrown as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('a JSON request whose streamed upstream drops gets Anthropic’s error body with its status, not a partial message', async () => {
    const response = await fetch(`${gateway.baseUrl}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey() },
      body: JSON.stringify({ ...valid, model: 'test/drop' }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'Provider returned error (Sim Drop)' }, request_id: response.headers.get('x-generation-id') });
    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === response.headers.get('x-generation-id'));
    expect(record).toMatchObject({ status: 502, finish_reason: 'error', provider: 'Sim Drop' });
  });

  it('pings while no provider has answered yet, then the message', async () => {
    const frames = await rawStream({ ...valid, model: 'test/slow' });
    expect(frames[0]).toEqual(['ping', '{"type":"ping"}']);
    expect(frames[1]?.[0]).toBe('message_start');
    expect(frames.at(-1)?.[0]).toBe('message_stop');
  });
});
