// The gateway with a clock the test moves: the same lib/http app over real
// HTTP, dynalite through the real SDK and the provider simulator, built here
// (local mode reads the wall clock) so that limits can be watched resetting
// at midnight without waiting for one.
import { serve, type RunningServer } from '../../../cli/serve.ts';
import { createCatalog, type Catalog } from '../../../lib/catalog/catalog.ts';
import { createHealthTracker, type HealthTracker } from '../../../lib/health/index.ts';
import { assembleGateway } from '../../../lib/http/assemble.ts';
import type { GatewayDeps } from '../../../lib/pipeline/deps.ts';
import { environmentCredentials } from '../../../lib/providers/credentials/index.ts';
import { createSimulator, type Simulator } from '../../../lib/providers/simulator/index.ts';
import { settingsWith } from '../../../lib/settings.ts';
import type { Table } from '../../../lib/store/dynamo.ts';
import type { UsageRecord } from '../../../lib/usage/record.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { testCatalog } from '../../support/local-gateway.ts';

export interface Clock {
  now(): number;
  set(iso: string): void;
  advance(ms: number): void;
}

export function manualClock(start: string): Clock {
  let current = Date.parse(start);
  return {
    now: () => current,
    set: (iso) => (current = Date.parse(iso)),
    advance: (ms) => (current += ms),
  };
}

export interface ClockGateway {
  /** `<server>/api/v1` */
  baseUrl: string;
  table: Table;
  clock: Clock;
  catalog: Catalog;
  health: HealthTracker;
  usage: UsageRecord[];
  deps: GatewayDeps;
  /** Wait for settlements and records of finished requests. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startClockGateway(start = '2026-08-22T10:00:30Z'): Promise<ClockGateway> {
  const clock = manualClock(start);
  const dynamo: TestDynamo = await startDynamo();
  const table: Table = { client: dynamo.client, name: dynamo.tableName };
  const box: { simulator?: Simulator } = {};
  const simulatorServer = await serve((request) => (box.simulator as Simulator).handle(request));
  const catalog = createCatalog(testCatalog(), { simulatorUrl: simulatorServer.url });
  box.simulator = createSimulator({ catalog });
  const settings = settingsWith({ keepAlive: { firstAfterMs: 10_000, intervalMs: 10_000 } });
  const health = createHealthTracker({ now: clock.now, endpointIds: catalog.endpoints.map((endpoint) => endpoint.id) });
  const usage: UsageRecord[] = [];
  const { gateway, deps, drain } = assembleGateway({
    catalog,
    table,
    credentials: environmentCredentials({}),
    usageSink: { write: async (record) => void usage.push(record), flush: async () => undefined },
    health,
    awsCredentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    settings,
    log: () => undefined,
    now: clock.now,
  });
  const server: RunningServer = await serve((request) => gateway.handle(request));
  const idle = drain;
  return {
    baseUrl: `${server.url}/api/v1`,
    table,
    clock,
    catalog,
    health,
    usage,
    deps,
    idle,
    async close() {
      await server.close();
      await idle();
      await simulatorServer.close();
      await dynamo.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: { error?: { code: number; message: string; metadata?: Record<string, unknown> } } & Record<string, unknown>;
}

/** Call the gateway with a bearer key; JSON in, JSON out. */
export async function call(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

export const chat = (baseUrl: string, key: string, extra: Record<string, unknown> = {}): Promise<Reply> =>
  call(baseUrl, key, 'POST', '/chat/completions', { model: 'test/one', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10, ...extra });
