// GET /api/v1/models/{author}/{slug}/endpoints in OpenRouter's
// PublicEndpoint shape (openrouter-api.md §1.5), with latency and
// throughput from the health tracker and the breaker as `status`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockGateway, type ClockGateway } from '../billing/support/clock-gateway.ts';

let gw: ClockGateway;
beforeAll(async () => {
  gw = await startClockGateway('2026-08-22T10:00:00Z');
});
afterAll(async () => {
  await gw.close();
});

const get = async (path: string) => {
  const response = await fetch(`${gw.baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { data: { endpoints: Record<string, unknown>[] } & Record<string, unknown> } };
};

describe('model endpoints', () => {
  it("lists a model's endpoints in OpenRouter's shape, no key needed", async () => {
    const { status, body } = await get('/models/test/two/endpoints');
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ id: 'test/two', name: 'Test Two', created: 1767225600, architecture: { tokenizer: 'Other', output_modalities: ['text'] } });
    expect(body.data.endpoints).toHaveLength(2);
    expect(body.data.endpoints[0]).toEqual({
      name: 'Sim A: Test Two',
      model_id: 'test/two',
      model_name: 'Test Two',
      provider_name: 'Sim A',
      tag: 'sim-a',
      context_length: 32_000,
      max_completion_tokens: 4_096,
      max_prompt_tokens: 32_000,
      pricing: {
        prompt: '0.000001',
        completion: '0.000002',
        request: '0',
        image: '0',
        web_search: '0',
        internal_reasoning: '0',
        input_cache_read: '0.000001',
        input_cache_write: '0.000001',
        discount: 0,
      },
      quantization: null,
      supported_parameters: ['max_completion_tokens', 'max_tokens', 'response_format', 'seed', 'stop', 'temperature', 'tool_choice', 'tools', 'top_p'],
      status: 0,
      uptime_last_5m: null,
      uptime_last_30m: null,
      uptime_last_1d: null,
      latency_last_30m: null,
      throughput_last_30m: null,
      supports_implicit_caching: false,
    });
    expect(body.data.endpoints[1]).toMatchObject({ provider_name: 'Sim B', tag: 'sim-b', pricing: { prompt: '0.000003', completion: '0.000006' } });
  });

  it('reports latency, throughput and an open breaker from the health tracker', async () => {
    gw.health.recordSuccess('test/one@sim-a', { latencyMs: 120, tokensPerSecond: 50 });
    gw.health.recordSuccess('test/one@sim-a', { latencyMs: 80, tokensPerSecond: 70 });
    let endpoint = (await get('/models/test/one/endpoints')).body.data.endpoints[0];
    expect(endpoint).toMatchObject({ status: 0, latency_last_30m: { p50: 80, p99: 120 }, throughput_last_30m: { p50: 50, p99: 70 } });

    for (let i = 0; i < 5; i++) gw.health.recordFailure('test/down@sim-down', { status: 500, errorType: 'provider_unavailable' });
    endpoint = (await get('/models/test/down/endpoints')).body.data.endpoints[0];
    expect(endpoint).toMatchObject({ status: -1, latency_last_30m: null });
  });

  it('answers 404 for an unknown model', async () => {
    const { status, body } = await get('/models/nobody/nothing/endpoints');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 404, message: 'Model nobody/nothing not found' } });
  });
});

describe('model endpoints, odd paths', () => {
  it('answers 404, not 500, for a malformed escape', async () => {
    const { status } = await get('/models/test/%E0%A4%A/endpoints');
    expect(status).toBe(404);
  });
});
