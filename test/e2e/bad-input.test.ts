// Bad input gets a clear OpenAI-style error naming the problem; none of it
// reaches an upstream or moves a balance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { putKey } from '../../lib/store/keys.ts';
import { balance, startTestGateway, usageRecords } from '../support/local-gateway.ts';

let gateway: LocalGateway;
let disabledKey: string;

beforeAll(async () => {
  gateway = await startTestGateway({ settings: { maxBodyBytes: 64 * 1024 } });
  disabledKey = generateApiKey();
  const now = new Date().toISOString();
  await putKey(gateway.table, {
    hash: await hashApiKey(disabledKey),
    kind: 'inference',
    accountId: gateway.keys.accountId,
    name: 'disabled',
    label: keyLabel(disabledKey),
    disabled: true,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    requestsPerMinute: null,
  });
});
afterAll(async () => {
  await gateway.close();
});

const valid = { model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] };

async function post(body: string | Uint8Array<ArrayBuffer>, authorization: string | undefined): Promise<{ status: number; body: { error: { code: number; message: string; metadata?: Record<string, unknown> } } }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(`${gateway.baseUrl}/chat/completions`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as never };
}

const bearer = (key: string): string => `Bearer ${key}`;

/** A valid request whose prompt holds bytes that are not UTF-8 (a lone continuation byte, an overlong form). */
const invalidUtf8 = (): Uint8Array<ArrayBuffer> => {
  const [before, after] = JSON.stringify({ ...valid, messages: [{ role: 'user', content: 'Hi MARK there' }] }).split('MARK');
  return new Uint8Array([...new TextEncoder().encode(before), 0x80, 0xc0, 0xaf, ...new TextEncoder().encode(after)]);
};
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } };

const cases: { name: string; body: () => string | Uint8Array<ArrayBuffer>; auth: () => string | undefined; status: number; message: RegExp }[] = [
  { name: 'a missing key', body: () => JSON.stringify(valid), auth: () => undefined, status: 401, message: /No auth credentials/ },
  { name: 'a malformed key', body: () => JSON.stringify(valid), auth: () => 'Bearer sk-not-a-key', status: 401, message: /Malformed API key/ },
  { name: 'an unknown key', body: () => JSON.stringify(valid), auth: () => bearer(generateApiKey()), status: 401, message: /Unknown API key/ },
  {
    name: 'an Authorization header of another scheme',
    body: () => JSON.stringify(valid),
    auth: () => 'Basic dXNlcjpwYXNzd29yZA==',
    status: 401,
    message: /Authorization header uses the "Basic" scheme, not a bearer key/,
  },
  {
    name: 'a key without `Bearer`',
    body: () => JSON.stringify(valid),
    auth: () => gateway.keys.apiKey,
    status: 401,
    message: /Authorization header is not a bearer key: put `Bearer ` before the key/,
  },
  { name: '`Bearer` and no key', body: () => JSON.stringify(valid), auth: () => 'Bearer', status: 401, message: /Authorization header is not `Bearer <key>`/ },
  { name: 'a body that is not UTF-8', body: invalidUtf8, auth: () => bearer(gateway.keys.apiKey), status: 400, message: /not valid UTF-8/ },
  {
    name: 'a tool_choice naming a function not in tools',
    body: () => JSON.stringify({ ...valid, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_time' } } }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`tool_choice\.function\.name` names "get_time", which is not one of `tools`/,
  },
  {
    name: 'a tool_choice naming a function and no tools',
    body: () => JSON.stringify({ ...valid, tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`tool_choice\.function\.name`/,
  },
  { name: 'a disabled key', body: () => JSON.stringify(valid), auth: () => bearer(disabledKey), status: 403, message: /disabled/ },
  { name: 'a management key', body: () => JSON.stringify(valid), auth: () => bearer(gateway.keys.managementKey), status: 403, message: /Management keys cannot call inference/ },
  { name: 'malformed JSON', body: () => '{"model": "test/one", ', auth: () => bearer(gateway.keys.apiKey), status: 400, message: /not valid JSON/ },
  { name: 'an empty body', body: () => '', auth: () => bearer(gateway.keys.apiKey), status: 400, message: /empty/ },
  {
    name: 'a wrong type',
    body: () => JSON.stringify({ ...valid, temperature: 'hot' }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`temperature`/,
  },
  {
    name: 'an out-of-range value',
    body: () => JSON.stringify({ ...valid, top_p: 3 }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`top_p`/,
  },
  {
    name: 'a wrong type deep inside messages',
    body: () => JSON.stringify({ model: 'test/one', messages: [{ role: 'user', content: 42 }] }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`messages\[0\]\.content`/,
  },
  { name: 'missing messages', body: () => JSON.stringify({ model: 'test/one' }), auth: () => bearer(gateway.keys.apiKey), status: 400, message: /`messages`/ },
  {
    name: 'empty messages',
    body: () => JSON.stringify({ model: 'test/one', messages: [] }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /`messages` must contain at least one message/,
  },
  {
    name: 'an unknown model',
    body: () => JSON.stringify({ ...valid, model: 'nobody/nothing' }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 400,
    message: /nobody\/nothing is not a valid model ID/,
  },
  {
    name: 'a body over the size limit',
    body: () => JSON.stringify({ ...valid, messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }),
    auth: () => bearer(gateway.keys.apiKey),
    status: 413,
    message: /larger than/,
  },
];

describe('bad input', () => {
  it.each(cases)('$name gets $status with a clear message, reaches no upstream and moves no balance', async (testCase) => {
    const before = await balance(gateway);
    const upstreamBefore = gateway.simulator.stats('sim-a').requests;
    const recordsBefore = (await usageRecords(gateway)).length;

    const { status, body } = await post(testCase.body(), testCase.auth());

    expect(status).toBe(testCase.status);
    expect(body.error.code).toBe(testCase.status);
    expect(body.error.message).toMatch(testCase.message);
    expect(gateway.simulator.stats('sim-a').requests).toBe(upstreamBefore);
    expect(await balance(gateway)).toBe(before);
    const records = await usageRecords(gateway);
    expect(records).toHaveLength(recordsBefore + 1);
    expect(records.at(-1)).toMatchObject({ status: testCase.status, cost_micros: 0 });
  });

  it.each([20 * 1024, 100 * 1024])('refuses %d bytes of headers with 431 in the JSON error envelope, reaching no upstream and moving no balance', async (size) => {
    const before = await balance(gateway);
    const upstreamBefore = gateway.simulator.stats('sim-a').requests;

    const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(gateway.keys.apiKey), 'x-padding': 'p'.repeat(size) },
      body: JSON.stringify(valid),
    });

    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: { code: 431, message: expect.stringMatching(/Request headers are larger than 16384 bytes/), metadata: { error_type: 'invalid_request' } },
    });
    expect(gateway.simulator.stats('sim-a').requests).toBe(upstreamBefore);
    expect(await balance(gateway)).toBe(before);
  });

  it('serves a tool_choice that names one of its tools', async () => {
    const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(gateway.keys.apiKey) },
      body: JSON.stringify({ ...valid, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
    });
    expect(response.status).toBe(200);
    await response.json();
  });

  it('tolerates unknown top-level fields', async () => {
    const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(gateway.keys.apiKey) },
      body: JSON.stringify({ ...valid, some_future_field: { anything: true } }),
    });
    expect(response.status).toBe(200);
    await response.json();
  });

  it('does not charge a request whose upstream fails before the first token, and records it', async () => {
    const before = await balance(gateway);
    const { status, body } = await post(JSON.stringify({ ...valid, model: 'test/down' }), bearer(gateway.keys.apiKey));
    expect(status).toBe(502);
    expect(body.error.message).not.toMatch(/simulat/i);
    expect(await balance(gateway)).toBe(before);
    const records = await usageRecords(gateway);
    const failed = records.filter((record) => record.model_requested === 'test/down');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 502, cost_micros: 0, model: null });
    expect(failed[0]?.attempts).toMatchObject([{ provider: 'Sim Down', status: 500 }]);
  });

  it('answers unknown routes with a 404 in the error envelope', async () => {
    const response = await fetch(`${gateway.baseUrl}/nothing/here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, message: expect.stringMatching(/No route/) } });
  });
});
