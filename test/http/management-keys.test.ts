// The key-management API in OpenRouter's shapes (openrouter-api.md §1.3,
// §6.1), called directly: create (the key shown once), list with paging and
// disabled keys, get, patch, delete; strict bodies whose errors name the
// field; management keys only, own account only; changes take effect in this
// container at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../lib/keys/api-key.ts';
import { accountWithKey, addKey } from '../billing/support/ledger.ts';
import { call, chat, startClockGateway, type ClockGateway } from '../billing/support/clock-gateway.ts';

let gw: ClockGateway;
let management: string;
let inference: string;
let accountId: string;

beforeAll(async () => {
  gw = await startClockGateway('2026-08-22T10:00:00Z');
  ({ accountId, apiKey: inference } = await accountWithKey(gw.table, 5_000_000, {}, gw.clock.now()));
  management = await addKey(gw.table, accountId, { kind: 'management', name: 'admin' }, gw.clock.now());
});
afterAll(async () => {
  await gw.close();
});

const KEY_FIELDS = [
  'hash', 'name', 'label', 'disabled', 'limit', 'limit_remaining', 'limit_reset', 'limit_resets_at', 'include_byok_in_limit',
  'usage', 'usage_daily', 'usage_weekly', 'usage_monthly', 'byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly',
  'created_at', 'updated_at', 'expires_at', 'workspace_id', 'requests_per_minute',
].sort();

describe('key management', () => {
  it('creates a key, shows it once, and the key works at once', async () => {
    const created = await call(gw.baseUrl, management, 'POST', '/keys', {
      name: 'ci runner', limit: 1.5, limit_reset: 'weekly', expires_at: '2027-01-01T00:00:00Z', include_byok_in_limit: true, requests_per_minute: 30,
    });
    expect(created.status).toBe(201);
    const secret = created.body.key as string;
    expect(secret).toMatch(/^sk-sy-v1-[0-9a-f]{64}$/);
    const data = created.body.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(KEY_FIELDS);
    expect(data).toMatchObject({
      hash: await hashApiKey(secret),
      name: 'ci runner',
      label: `${secret.slice(0, 12)}...${secret.slice(-4)}`,
      disabled: false,
      limit: 1.5,
      limit_remaining: 1.5,
      limit_reset: 'weekly',
      limit_resets_at: '2026-08-24T00:00:00.000Z',
      include_byok_in_limit: true,
      usage: 0,
      created_at: '2026-08-22T10:00:00.000Z',
      updated_at: null,
      expires_at: '2027-01-01T00:00:00.000Z',
      requests_per_minute: 30,
    });
    expect(JSON.stringify(data)).not.toContain(secret);

    expect((await chat(gw.baseUrl, secret)).status).toBe(200);
    await gw.idle();
    const fetched = await call(gw.baseUrl, management, 'GET', `/keys/${data.hash as string}`);
    expect(fetched.status).toBe(200);
    const usage = (fetched.body.data as { usage: number }).usage;
    expect(usage).toBeGreaterThan(0);
    expect((fetched.body.data as Record<string, number>).limit_remaining).toBeCloseTo(1.5 - usage, 9);
    expect(fetched.body.data).not.toHaveProperty('key');
  });

  it('disables, enables and deletes a key, effective at once in this container', async () => {
    const created = await call(gw.baseUrl, management, 'POST', '/keys', { name: 'short-lived' });
    const secret = created.body.key as string;
    const hash = (created.body.data as { hash: string }).hash;
    expect((await chat(gw.baseUrl, secret)).status).toBe(200); // now cached

    gw.clock.advance(1_000);
    const disabled = await call(gw.baseUrl, management, 'PATCH', `/keys/${hash}`, { disabled: true, name: 'paused', limit: 2, limit_reset: 'daily' });
    expect(disabled.status).toBe(200);
    expect(disabled.body.data).toMatchObject({ disabled: true, name: 'paused', limit: 2, limit_reset: 'daily', updated_at: '2026-08-22T10:00:01.000Z' });
    expect((await chat(gw.baseUrl, secret)).status).toBe(403);

    const listed = await call(gw.baseUrl, management, 'GET', '/keys');
    expect((listed.body.data as { hash: string }[]).map((key) => key.hash)).not.toContain(hash);
    const withDisabled = await call(gw.baseUrl, management, 'GET', '/keys?include_disabled=true');
    expect((withDisabled.body.data as { hash: string }[]).map((key) => key.hash)).toContain(hash);

    const enabled = await call(gw.baseUrl, management, 'PATCH', `/keys/${hash}`, { disabled: false, limit: null });
    expect(enabled.body.data).toMatchObject({ disabled: false, limit: null, limit_remaining: null });
    expect((await chat(gw.baseUrl, secret)).status).toBe(200);
    await gw.idle();

    const deleted = await call(gw.baseUrl, management, 'DELETE', `/keys/${hash}`);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await chat(gw.baseUrl, secret)).status).toBe(401);
    expect((await call(gw.baseUrl, management, 'GET', `/keys/${hash}`)).status).toBe(404);
    expect((await call(gw.baseUrl, management, 'DELETE', `/keys/${hash}`)).status).toBe(404);
  });

  it('lists 100 keys a page, oldest first, management keys not among them', async () => {
    const { accountId: big } = await accountWithKey(gw.table, 0, { name: 'first' }, gw.clock.now());
    const admin = await addKey(gw.table, big, { kind: 'management' }, gw.clock.now());
    await Promise.all(Array.from({ length: 104 }, (_, index) => addKey(gw.table, big, { name: `key ${index}`, createdAt: new Date(gw.clock.now() + 1 + index).toISOString() })));
    const first = await call(gw.baseUrl, admin, 'GET', '/keys');
    const second = await call(gw.baseUrl, admin, 'GET', '/keys?offset=100');
    const names = [...(first.body.data as { name: string }[]), ...(second.body.data as { name: string }[])].map((key) => key.name);
    expect((first.body.data as unknown[]).length).toBe(100);
    expect(names).toHaveLength(105);
    expect(names[0]).toBe('first');
    expect(names.at(-1)).toBe('key 103');
    expect(new Set(names).size).toBe(105);
  });

  it('names the field a bad body gets wrong', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', limit: -1 }, 'limit'],
      [{ name: 'x', limit: 0.0000001 }, 'limit'],
      [{ name: 'x', limit_reset: 'hourly' }, 'limit_reset'],
      [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'x', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
      [{ name: 'x', requests_per_minute: 0 }, 'requests_per_minute'],
    ];
    for (const [body, field] of cases) {
      const reply = await call(gw.baseUrl, management, 'POST', '/keys', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error?.metadata?.field, JSON.stringify(body)).toBe(field);
      expect(reply.body.error?.message).toContain(`\`${field}\``);
    }
    const unknown = await call(gw.baseUrl, management, 'POST', '/keys', { name: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('colour');
    const response = await fetch(`${gw.baseUrl}/keys`, { method: 'POST', headers: { authorization: `Bearer ${management}` }, body: '{"name":' });
    expect(response.status).toBe(400);
  });

  it('is for management keys of the same account only', async () => {
    const forbidden = await call(gw.baseUrl, inference, 'GET', '/keys');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error?.message).toContain('management key');
    expect((await call(gw.baseUrl, inference, 'POST', '/keys', { name: 'x' })).status).toBe(403);
    expect((await call(gw.baseUrl, management, 'POST', '/chat/completions', { model: 'test/one', messages: [{ role: 'user', content: 'Hi' }] })).status).toBe(403);
    const anonymous = await fetch(`${gw.baseUrl}/keys`);
    expect(anonymous.status).toBe(401);

    const { hash: foreign } = await accountWithKey(gw.table, 0, {}, gw.clock.now());
    expect((await call(gw.baseUrl, management, 'GET', `/keys/${foreign}`)).status).toBe(404);
    expect((await call(gw.baseUrl, management, 'PATCH', `/keys/${foreign}`, { disabled: true })).status).toBe(404);
    expect((await call(gw.baseUrl, management, 'DELETE', `/keys/${foreign}`)).status).toBe(404);
    const own = await hashApiKey(management);
    expect((await call(gw.baseUrl, management, 'GET', `/keys/${own}`)).status).toBe(404);
    expect((await call(gw.baseUrl, management, 'GET', '/keys/not-a-hash')).status).toBe(404);
  });
});
