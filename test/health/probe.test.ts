import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { runProbe, type ProbeResult } from '../../lib/health/probe.ts';
import { createAdapter as createOpenaiAdapter } from '../../lib/providers/openai/index.ts';
import type { Adapters, Credentials, ProviderAdapter } from '../../lib/providers/types.ts';
import { createHealthStore, type HealthStore } from '../../lib/store/health.ts';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const openaiAdapter = createOpenaiAdapter();

const PROBE_KEY = 'sk-test-probe-key';

interface Seen {
  path: string;
  authorization: string | null;
  body: Record<string, unknown>;
}

/** An OpenAI-compatible upstream: healthy, overloaded, picky and stalled hosts under one port. */
function upstream(seen: Seen[]) {
  return async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    seen.push({ path, authorization: request.headers.get('authorization'), body: (await request.json()) as Record<string, unknown> });
    if (path.startsWith('/down/')) {
      return Response.json({ error: { message: 'The server is overloaded', type: 'server_error' } }, { status: 503 });
    }
    if (path.startsWith('/picky/')) {
      return Response.json({ error: { message: 'max_tokens is too small', type: 'invalid_request_error' } }, { status: 400 });
    }
    if (path.startsWith('/stall/')) {
      // Headers, then nothing: only the probe's timeout ends it.
      return new Response(new ReadableStream({ start: () => undefined }), { headers: { 'content-type': 'text/event-stream' } });
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = chunk({ role: 'assistant', content: 'p' }, null) + chunk({}, 'length') + 'data: [DONE]\n\n';
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

const everyProvider = ['healthy', 'overloaded', 'picky', 'stalled', 'keyless', 'simulated'] as const;

function catalogDocument(url: string, providers: readonly (typeof everyProvider)[number][] = everyProvider) {
  const endpoint = (provider: string) => ({
    provider,
    upstreamModel: `${provider}-model`,
    pricing: { prompt: '1', completion: '1' },
    contextLength: 8000,
    maxCompletionTokens: 1000,
    supportedParameters: ['max_tokens'],
  });
  const all = {
    healthy: { name: 'Healthy', kind: 'openai', baseUrl: `${url}/ok/v1`, credential: 'PROBE_KEY' },
    overloaded: { name: 'Overloaded', kind: 'openai', baseUrl: `${url}/down/v1` },
    picky: { name: 'Picky', kind: 'openai', baseUrl: `${url}/picky/v1` },
    stalled: { name: 'Stalled', kind: 'openai', baseUrl: `${url}/stall/v1` },
    keyless: { name: 'Keyless', kind: 'openai', baseUrl: `${url}/ok/v1`, credential: 'MISSING_KEY' },
    simulated: { name: 'Simulated', kind: 'openai', simulator: {} },
  };
  return {
    providers: Object.fromEntries(providers.map((id) => [id, all[id]])),
    models: [{ id: 'probe/model', name: 'Probe model', created: 1, endpoints: providers.map(endpoint) }],
  };
}

const credentials: Credentials = {
  get: (name) => Promise.resolve(name === 'PROBE_KEY' ? PROBE_KEY : undefined),
  refresh: () => undefined,
};

const unused: ProviderAdapter = { send: () => Promise.reject(new Error('not an OpenAI-compatible endpoint')) };
const adapters: Adapters = { openai: openaiAdapter, anthropic: unused, gemini: unused, bedrock: unused };

describe('runProbe against a loopback OpenAI-compatible server', () => {
  let dynamo: TestDynamo;
  let store: HealthStore;
  let server: RunningServer;
  const seen: Seen[] = [];
  const T0 = 1_750_000_000_000;

  beforeAll(async () => {
    dynamo = await startDynamo();
    store = createHealthStore({ client: dynamo.client, name: dynamo.tableName });
    server = await serve(upstream(seen));
  });
  afterAll(async () => {
    await server.close();
    await dynamo.close();
  });

  const byEndpoint = (results: readonly ProbeResult[]) => Object.fromEntries(results.map((result) => [result.endpoint.split('@')[1], result]));

  it('probes every reachable endpoint and records latency or failure', async () => {
    let clock = T0;
    // Each reading of the clock moves it 7 ms on, so a latency is a visible, non-zero number.
    const now = () => (clock += 7);
    const catalog = createCatalog(catalogDocument(server.url));
    const summary = await runProbe({ catalog, adapters, credentials, fetch, store, now, policy: { probe: { timeoutMs: 300 } } });

    const results = byEndpoint(summary.results);
    expect(summary).toMatchObject({ ok: 1, failed: 3, skipped: 2 });
    expect(results.healthy).toMatchObject({ outcome: 'ok', recorded: true });
    expect(results.healthy?.latencyMs).toBeGreaterThan(0);
    expect(results.overloaded).toMatchObject({ outcome: 'failed', status: 503, recorded: true });
    expect(results.picky).toMatchObject({ outcome: 'failed', status: 400, recorded: false });
    expect(results.stalled).toMatchObject({ outcome: 'failed', errorType: 'timeout', recorded: true });
    expect(results.keyless).toMatchObject({ outcome: 'skipped', reason: 'no credential' });
    expect(results.simulated).toMatchObject({ outcome: 'skipped', reason: 'simulator not running' });

    const healthy = await store.get('probe/model@healthy', clock);
    expect(healthy?.latencySamples).toEqual([{ at: expect.any(Number), value: results.healthy?.latencyMs }]);
    expect(healthy?.latencyMs?.p50).toBe(results.healthy?.latencyMs);
    expect(await store.get('probe/model@overloaded', clock)).toMatchObject({ lastFailureAt: expect.any(Number), failures: [expect.any(Number)] });
    expect(await store.get('probe/model@picky', clock)).toBeUndefined();
  });

  it('sends a one-token request with the provider credential, never to skipped endpoints', () => {
    const healthy = seen.find((request) => request.path === '/ok/v1/chat/completions');
    expect(healthy?.authorization).toBe(`Bearer ${PROBE_KEY}`);
    expect(healthy?.body).toMatchObject({ model: 'healthy-model', stream: true });
    expect(healthy?.body.max_tokens ?? healthy?.body.max_completion_tokens).toBe(1);
    expect(seen.filter((request) => request.path === '/ok/v1/chat/completions')).toHaveLength(1);
    expect(seen.some((request) => request.body.model === 'keyless-model' || request.body.model === 'simulated-model')).toBe(false);
  });

  it('leaves a provider the catalog marks healthProbe: false (a router such as OpenRouter) to real traffic', async () => {
    const before = seen.length;
    const document = catalogDocument(server.url, ['healthy']);
    const router = { ...document, providers: { healthy: { ...document.providers.healthy, healthProbe: false } } };
    const summary = await runProbe({ catalog: createCatalog(router), adapters, credentials, fetch, store, now: () => T0 });
    expect(summary).toMatchObject({ ok: 0, failed: 0, skipped: 1 });
    expect(summary.results[0]).toMatchObject({ outcome: 'skipped', reason: 'not probed', recorded: false });
    expect(seen).toHaveLength(before);
  });

  it('probes simulated providers when the simulator runs', async () => {
    const simulator = await serve(upstream([]));
    try {
      // The simulator serves each simulated provider under its own path.
      const catalog = createCatalog(catalogDocument(server.url, ['simulated']), { simulatorUrl: simulator.url });
      const summary = await runProbe({ catalog, adapters, credentials, fetch, store, now: () => T0, simulatorUrl: simulator.url });
      expect(summary).toMatchObject({ ok: 1, failed: 0, skipped: 0 });
    } finally {
      await simulator.close();
    }
  });

  it('opens the breaker after repeated failed probes', async () => {
    const catalog = createCatalog(catalogDocument(server.url, ['healthy', 'overloaded']));
    let clock = T0 + 120_000;
    for (let round = 0; round < 5; round++) {
      clock += 1000;
      const at = clock;
      await runProbe({ catalog, adapters, credentials, fetch, store, now: () => at });
    }
    const record = await store.get('probe/model@overloaded', clock);
    expect(record?.degradedUntil).toBeGreaterThan(clock);
    expect((await store.get('probe/model@healthy', clock))?.degradedUntil).toBeUndefined();
  });
});
