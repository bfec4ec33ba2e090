// GET /generations: an account's recent generations newest first, each with
// its attempts and cost and without any text, paged by cursor, searchable;
// management keys only; bad queries are 400s naming the field.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';

let gateway: LocalGateway;
const ids: string[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  const client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
  for (const model of ['test/one', 'test/claude', 'test/one']) {
    ids.push((await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'a secret prompt' }] })).id);
  }
});
afterAll(async () => {
  await gateway.close();
});

const get = async (query: string, key: string | null = gateway.keys.managementKey): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${gateway.baseUrl}/generations${query}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
type Entry = { id: string; total_cost: number; provider_name: string; provider_responses: { provider_name: string; status: number }[] };

describe('GET /generations', () => {
  it('lists the newest first with cost and attempts, and no prompt or completion text', async () => {
    const { status, body } = await get('');
    const data = body.data as Entry[];

    expect(status).toBe(200);
    expect(data.map((entry) => entry.id)).toEqual([...ids].reverse());
    expect(data[1]).toMatchObject({ provider_name: 'Sim Anthropic', provider_responses: [{ provider_name: 'Sim Anthropic', status: 200 }] });
    expect(data[0]?.total_cost).toBeGreaterThan(0);
    expect(body.next_cursor).toBeNull();
    expect(JSON.stringify(body)).not.toContain('secret prompt');
  });

  it('pages with the cursor it hands out, without repeats', async () => {
    const first = await get('?limit=2');
    const second = await get(`?limit=2&cursor=${first.body.next_cursor as string}`);

    expect([...(first.body.data as Entry[]), ...(second.body.data as Entry[])].map((entry) => entry.id)).toEqual([...ids].reverse());
    expect(second.body.next_cursor).toBeNull();
  });

  it('finds by text', async () => {
    const { body } = await get('?q=anthropic');

    expect((body.data as Entry[]).map((entry) => entry.id)).toEqual([ids[1]]);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?cursor=not-a-cursor', 'cursor'],
    ['?from=yesterday', 'from'],
    ['?order=asc', 'order'],
  ])('answers %s with a 400 naming `%s`', async (query, field) => {
    const { status, body } = await get(query);

    expect(status).toBe(400);
    expect(body.error).toMatchObject({ metadata: { field } });
  });

  it('needs a management key', async () => {
    expect((await get('', null)).status).toBe(401);
    expect((await get('', gateway.keys.apiKey)).status).toBe(403);
  });
});
