// Health and stickiness steer the attempt plan, end to end: the breaker
// (5 failures within 60 s → degraded for 60 s, DESIGN decision 8) sends
// requests to the other endpoint first and brings the endpoint back on time;
// health records in the store steer other containers, unless expired; a
// session stays on its provider while it is healthy and moves when it fails
// (openrouter-api.md §3.4). The gateway is built here, like local mode, with
// an injected clock and an injected draw for the 1/price² choice.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedLocalKeys } from '../../cli/local-seed.ts';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { createCatalog, type Catalog } from '../../lib/catalog/catalog.ts';
import { createHealthTracker, type HealthTracker } from '../../lib/health/index.ts';
import { assembleGateway } from '../../lib/http/assemble.ts';
import { createSimulator, type Simulator } from '../../lib/providers/simulator/index.ts';
import type { ProviderAdapter } from '../../lib/providers/types.ts';
import { settingsWith } from '../../lib/settings.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { createTable, startDynamo, type TestDynamo } from '../support/dynalite.ts';

const endpoint = (provider: string, price: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: price, completion: price },
  contextLength: 32_000,
  maxCompletionTokens: 4_096,
  supportedParameters: ['max_tokens'],
});
const simulated = (name: string) => ({ name, kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 4 } });

/**
 * `test/pair`: Primary and Secondary at the same price, so a draw of 0 puts
 * Primary first. `test/sticky`: Near (1 $/M) is drawn first for draws below
 * 0.8, Far (2 $/M, a quarter of the weight) above.
 */
const catalogDocument = {
  providers: { primary: simulated('Primary'), secondary: simulated('Secondary'), near: simulated('Near'), far: simulated('Far') },
  models: [
    { id: 'test/pair', name: 'Pair', created: 1767225600, endpoints: [endpoint('primary', '1'), endpoint('secondary', '1')] },
    { id: 'test/sticky', name: 'Sticky', created: 1767225600, endpoints: [endpoint('near', '1'), endpoint('far', '2')] },
  ],
};
const failing = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 4, failure: { mode: 'status' as const, status: 500 } };

interface Harness {
  client: OpenAI;
  simulator: Simulator;
  catalog: Catalog;
  health: HealthTracker;
  table: Table;
  /** The gateway's clock, epoch ms; tests move it. */
  clock: { ms: number };
  /** What the gateway's `random` returns. */
  draw: { value: number };
  /** Usage records written so far, after every pending write. */
  records(): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

const unusedAdapter: ProviderAdapter = {
  send: () => Promise.reject(new Error('no bedrock endpoint in this catalog')),
};

/** The gateway as local mode builds it, with the clock and the draw in the test's hands. */
async function startHarness(dynamo: TestDynamo, tableName: string): Promise<Harness> {
  const table: Table = { client: dynamo.client, name: tableName };
  const clock = { ms: Date.now() };
  const draw = { value: 0 };
  const now = (): number => clock.ms;
  const box: { simulator?: Simulator } = {};
  const simulatorServer: RunningServer = await serve((request) => (box.simulator as Simulator).handle(request));
  const catalog = createCatalog(catalogDocument, { simulatorUrl: simulatorServer.url, source: 'test' });
  const simulator = createSimulator({ catalog });
  box.simulator = simulator;
  const health = createHealthTracker({ store: createHealthStore(table), now, endpointIds: catalog.endpoints.map((entry) => entry.id) });
  const settings = settingsWith({ attempts: { ...settingsWith().attempts, backoffBaseMs: 1, backoffMaxMs: 2 } });
  const written: UsageRecord[] = [];
  const { gateway, drain } = assembleGateway({
    catalog,
    table,
    credentials: { get: () => Promise.resolve(undefined), refresh: () => undefined },
    usageSink: { write: (record) => Promise.resolve(void written.push(record)), flush: () => Promise.resolve() },
    health,
    awsCredentials: () => Promise.reject(new Error('no bedrock endpoint in this catalog')),
    settings,
    log: () => undefined,
    now,
    random: () => draw.value,
    adapters: { bedrock: unusedAdapter },
  });
  const keys = await seedLocalKeys({ table, dataDir: undefined, env: {}, seedCreditsMicros: 10_000_000 });
  const server = await serve((request) => gateway.handle(request));
  const idle = drain;
  return {
    client: new OpenAI({ baseURL: `${server.url}/api/v1`, apiKey: keys.apiKey, maxRetries: 0 }),
    simulator,
    catalog,
    health,
    table,
    clock,
    draw,
    records: async () => {
      await idle();
      return [...written];
    },
    close: async () => {
      await server.close();
      await idle();
      await simulatorServer.close();
    },
  };
}

type Extra = { provider?: { order: string[] }; session_id?: string };

/** One JSON request; the display name of the provider that served it. */
async function servedBy(harness: Harness, model: string, extra: Extra = {}, headers: Record<string, string> = {}): Promise<string> {
  const completion = await harness.client.chat.completions.create(
    { model, messages: [{ role: 'user', content: 'Hi' }], ...(extra as object) },
    { headers },
  );
  return (completion as unknown as { provider: string }).provider;
}

/** The providers tried, in order, by the latest request. */
async function lastAttempts(harness: Harness): Promise<string[]> {
  return ((await harness.records()).at(-1)?.attempts ?? []).map((attempt) => attempt.provider);
}

const SECOND = 1_000;
const endpointId = (harness: Harness, model: string, provider: string): string =>
  harness.catalog.endpoints.find((entry) => entry.modelId === model && entry.provider.id === provider)?.id ?? '';

let dynamo: TestDynamo;
// Each test gets a table of its own: a closing gateway flushes its health news.
let tableName = '';
let tables = 0;
const open: Harness[] = [];
const harness = async (): Promise<Harness> => {
  const started = await startHarness(dynamo, tableName);
  open.push(started);
  return started;
};

beforeAll(async () => {
  dynamo = await startDynamo();
});
beforeEach(async () => {
  tableName = `routing-health-${(tables += 1)}`;
  await createTable(dynamo.client, tableName);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((entry) => entry.close()));
});
afterAll(async () => {
  await dynamo.close();
});

/** `count` requests in which Primary fails and Secondary serves (an explicit `order` keeps an endpoint whose breaker is closed first). */
async function failPrimary(gateway: Harness, count: number): Promise<void> {
  gateway.simulator.setBehaviour('primary', failing);
  for (let index = 0; index < count; index += 1) {
    expect(await servedBy(gateway, 'test/pair', { provider: { order: ['primary', 'secondary'] } })).toBe('Secondary');
  }
  gateway.simulator.setBehaviour('primary', undefined);
}

describe('the breaker', () => {
  it('does not open on four failures: past the 30 s recent-failure window the endpoint is first again', async () => {
    const gateway = await harness();
    await failPrimary(gateway, 4);
    gateway.clock.ms += 31 * SECOND;

    expect(await servedBy(gateway, 'test/pair')).toBe('Primary');
    expect(await lastAttempts(gateway)).toEqual(['Primary']);
  });

  it('opens on five failures within 60 s: the endpoint goes last until 60 s have passed', async () => {
    const gateway = await harness();
    await failPrimary(gateway, 5);
    const primaryRequests = gateway.simulator.stats('primary').requests;

    gateway.clock.ms += 31 * SECOND;
    expect(await servedBy(gateway, 'test/pair')).toBe('Secondary');
    expect(gateway.simulator.stats('primary').requests).toBe(primaryRequests);

    // Degraded means last, not gone: with Secondary failing, Primary still serves.
    gateway.simulator.setBehaviour('secondary', failing);
    expect(await servedBy(gateway, 'test/pair')).toBe('Primary');
    expect(await lastAttempts(gateway)).toEqual(['Secondary', 'Primary']);
    gateway.simulator.setBehaviour('secondary', undefined);

    gateway.clock.ms += 31 * SECOND;
    expect(await servedBy(gateway, 'test/pair')).toBe('Primary');
    expect(await lastAttempts(gateway)).toEqual(['Primary']);
  });

  it('outranks an explicit order: an open breaker goes after the healthy endpoint, and GET /generation says why', async () => {
    const gateway = await harness();
    await failPrimary(gateway, 5);
    const primaryRequests = gateway.simulator.stats('primary').requests;
    // Primary would answer now, but its breaker is open: `order` naming it first does not make anyone wait for it.
    const ordered = { provider: { order: ['primary', 'secondary'] } };

    const served = await gateway.client.chat.completions
      .create({ model: 'test/pair', messages: [{ role: 'user', content: 'Hi' }], ...(ordered as object) })
      .withResponse();
    expect((served.data as unknown as { provider: string }).provider).toBe('Secondary');
    expect(gateway.simulator.stats('primary').requests).toBe(primaryRequests);
    const generationId = served.response.headers.get('x-generation-id') ?? '';
    await gateway.records();
    const generation = (await gateway.client.get(`/generation?id=${generationId}`)) as { data: Record<string, unknown> };
    expect(generation.data.deprioritized).toEqual([
      { endpoint_id: endpointId(gateway, 'test/pair', 'primary'), provider_name: 'Primary', reason: 'breaker_open' },
    ]);

    // Still tried when nothing else is left, and the attempt says why it came last.
    gateway.simulator.setBehaviour('secondary', failing);
    const fallback = await gateway.client.chat.completions
      .create({ model: 'test/pair', messages: [{ role: 'user', content: 'Hi' }], ...(ordered as object) })
      .withResponse();
    expect((fallback.data as unknown as { provider: string }).provider).toBe('Primary');
    expect(await lastAttempts(gateway)).toEqual(['Secondary', 'Primary']);
    const tried = (await gateway.client.get(`/generation?id=${fallback.response.headers.get('x-generation-id') ?? ''}`)) as {
      data: { provider_responses: { provider_name: string; deprioritized?: string }[] };
    };
    expect(tried.data.provider_responses.map((entry) => [entry.provider_name, entry.deprioritized])).toEqual([
      ['Secondary', undefined],
      ['Primary', 'breaker_open'],
    ]);
  });

  it('reaches another container through the store once flushed', async () => {
    const first = await harness();
    await failPrimary(first, 5);
    await first.health.flush();

    const second = await harness();
    second.clock.ms = first.clock.ms + 31 * SECOND;
    await second.health.refresh();
    expect(await servedBy(second, 'test/pair')).toBe('Secondary');
    second.clock.ms += 31 * SECOND;
    expect(await servedBy(second, 'test/pair')).toBe('Primary');
  });
});

describe('health records in the store', () => {
  /** Another container's record: the endpoint degraded for the next minute, alive until `ttl`. */
  async function writeDegraded(gateway: Harness, provider: string, ttlSeconds: number): Promise<void> {
    const at = gateway.clock.ms;
    await createHealthStore(gateway.table).update(
      endpointId(gateway, 'test/pair', provider),
      at,
      () => ({
        failures: [],
        degradedUntil: at + 60 * SECOND,
        lastFailureAt: at - 40 * SECOND,
        latencyMs: undefined,
        throughputTps: undefined,
        latencySamples: [],
        throughputSamples: [],
        ttl: ttlSeconds,
      }),
      { maxAttempts: 1 },
    );
  }

  it('steer the plan while alive', async () => {
    const gateway = await harness();
    await writeDegraded(gateway, 'primary', Math.floor(gateway.clock.ms / 1000) + 3_600);
    await gateway.health.refresh();

    expect(await servedBy(gateway, 'test/pair')).toBe('Secondary');
    expect(await lastAttempts(gateway)).toEqual(['Secondary']);
  });

  it('are ignored once their ttl has passed, even before DynamoDB deletes them', async () => {
    const gateway = await harness();
    await writeDegraded(gateway, 'primary', Math.floor(gateway.clock.ms / 1000) - 1);
    await gateway.health.refresh();

    expect(await servedBy(gateway, 'test/pair')).toBe('Primary');
    expect(await lastAttempts(gateway)).toEqual(['Primary']);
  });
});

describe.each([
  { via: 'the body’s session_id', extra: (id: string): Extra => ({ session_id: id }), headers: (): Record<string, string> => ({}) },
  { via: 'the x-session-id header', extra: (): Extra => ({}), headers: (id: string): Record<string, string> => ({ 'x-session-id': id }) },
])('a sticky session through $via', ({ extra, headers }) => {
  const ask = (gateway: Harness, session: string): Promise<string> => servedBy(gateway, 'test/sticky', extra(session), headers(session));
  const NEAR_DRAW = 0.1;
  const FAR_DRAW = 0.9;

  it('stays with its provider while the draw would pick the other', async () => {
    const gateway = await harness();
    gateway.draw.value = NEAR_DRAW;
    expect(await servedBy(gateway, 'test/sticky')).toBe('Near');
    gateway.draw.value = FAR_DRAW;
    expect(await servedBy(gateway, 'test/sticky')).toBe('Far');

    expect(await ask(gateway, 'conversation-1')).toBe('Far');
    gateway.draw.value = NEAR_DRAW;
    for (let turn = 0; turn < 3; turn += 1) expect(await ask(gateway, 'conversation-1')).toBe('Far');
    // Another conversation draws for itself.
    expect(await ask(gateway, 'conversation-2')).toBe('Near');
  });

  it('moves when its provider fails, and stays on the new one', async () => {
    const gateway = await harness();
    gateway.draw.value = FAR_DRAW;
    expect(await ask(gateway, 'conversation-1')).toBe('Far');

    gateway.simulator.setBehaviour('far', failing);
    expect(await ask(gateway, 'conversation-1')).toBe('Near');
    expect(await lastAttempts(gateway)).toEqual(['Far', 'Near']);
    gateway.simulator.setBehaviour('far', undefined);

    // Far is healthy again (past the recent-failure window) and the draw favours it.
    gateway.clock.ms += 31 * SECOND;
    expect(await servedBy(gateway, 'test/sticky')).toBe('Far');
    for (let turn = 0; turn < 3; turn += 1) expect(await ask(gateway, 'conversation-1')).toBe('Near');
    expect(await lastAttempts(gateway)).toEqual(['Near']);
  });
});
