// Routing transparency: every inference reply an endpoint served names, in
// its headers, the provider and the catalog model that answered, beside
// X-Generation-Id; on every route, streamed or not. A reply no endpoint
// served (refused, or every attempt failed) names none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway, testCatalog } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ catalogDocument: testCatalog() });
});
afterAll(async () => {
  await gateway.close();
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify(body),
  });
}

const messages = [{ role: 'user', content: 'Hello' }];
const routes: [string, string, Record<string, unknown>][] = [
  ['chat completions', '/chat/completions', { model: 'test/claude', messages }],
  ['responses', '/responses', { model: 'test/claude', input: 'Hello' }],
  ['messages', '/messages', { model: 'test/claude', max_tokens: 64, messages }],
  ['completions', '/completions', { model: 'test/claude', prompt: 'Hello' }],
];

describe('the provider and model that answered, in the headers', () => {
  it.each(routes.flatMap(([name, path, body]) => [false, true].map((stream) => [name, path, body, stream] as const)))(
    '%s (stream: %s)',
    async (_name, path, body, stream) => {
      const response = await post(path, { ...body, stream });
      await response.text();

      expect(response.status).toBe(200);
      expect(response.headers.get('x-generation-id')).toMatch(/^gen-/);
      expect(response.headers.get('x-switchyard-provider')).toBe('Sim Anthropic');
      expect(response.headers.get('x-switchyard-model')).toBe('test/claude');
    },
  );

  it('the provider and model that served after a fallback, not the ones that failed first', async () => {
    const response = await post('/chat/completions', { model: 'test/down', models: ['test/down', 'test/one'], messages });
    await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-provider')).toBe('Sim A');
    expect(response.headers.get('x-switchyard-model')).toBe('test/one');
  });

  it('none on a reply no endpoint served', async () => {
    const response = await post('/chat/completions', { model: 'test/down', messages });
    await response.text();

    expect(response.status).toBe(502);
    expect(response.headers.get('x-generation-id')).toMatch(/^gen-/);
    expect(response.headers.get('x-switchyard-provider')).toBeNull();
  });
});
