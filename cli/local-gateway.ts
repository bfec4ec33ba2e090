// Local mode: the very same gateway with embedded stand-ins for the AWS
// parts (DESIGN "Local mode"): dynalite for DynamoDB (a child process,
// persisted under the data folder), the provider simulator, a file usage sink, and environment
// variables for provider credentials.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createCatalog, defaultCatalog, type Catalog } from '../lib/catalog/catalog.ts';
import { createNodeFetch } from '../functions/shared/node-fetch.ts';
import { assembleGateway } from '../lib/http/assemble.ts';
import type { Gateway } from '../lib/http/app.ts';
import { createHealthTracker } from '../lib/health/index.ts';
import { createHealthStore } from '../lib/store/health.ts';
import { reclaimAllExpiredHolds } from '../lib/billing/reclaim.ts';
import { microsToUsd } from '../lib/billing/cost.ts';
import { gatewayStopping } from '../lib/pipeline/stopping.ts';
import { releaseEveryHold } from '../lib/store/predecessor-holds.ts';
import { environmentCredentials } from '../lib/providers/credentials/index.ts';
import { createSimulator, type Simulator } from '../lib/providers/simulator/index.ts';
import { settingsWith, type Settings } from '../lib/settings.ts';
import type { Table } from '../lib/store/dynamo.ts';
import { createFileUsageSink } from './file-usage-sink.ts';
import { startLocalDynamo, type LocalDynamo } from './local-dynamo.ts';
import { seedLocalKeys, type SeededKeys } from './local-seed.ts';
import { serve, serveGateway, type DrainOutcome, type RunningServer } from './serve.ts';

export interface LocalGatewayOptions {
  /** Port of the gateway; 0 for any free one. */
  port: number;
  /** Where DynamoDB data and usage files live; undefined keeps everything in memory. */
  dataDir: string | undefined;
  /** The process environment: provider credentials, SWITCHYARD_* settings. */
  env: Record<string, string | undefined>;
  /** Settings overrides (tests shorten timeouts). */
  settings?: Partial<Settings>;
  /** A catalog document to use instead of SWITCHYARD_CATALOG or the default. */
  catalogDocument?: unknown;
  /** Credits to seed a new account with, µ$. */
  seedCreditsMicros?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface LocalGateway {
  url: string;
  /** Base URL for OpenAI SDKs: `<url>/api/v1`. */
  baseUrl: string;
  keys: SeededKeys;
  catalog: Catalog;
  simulator: Simulator;
  simulatorUrl: string;
  table: Table;
  usageDirectory: string;
  /** The process of the DynamoDB stand-in (dynalite), for those who measure it. */
  dynamoPid: number | undefined;
  gateway: Gateway;
  /** Resolves when every started bookkeeping task (settlement, records) has finished. */
  idle(): Promise<void>;
  /** Requests whose response has not ended yet. */
  inFlight(): number;
  /**
   * Stop as on SIGINT/SIGTERM (DESIGN decision 14): accept nothing more, let
   * the requests in flight finish for up to `settings.shutdownDrainMs`, end
   * the rest with the door's in-band error, settle and record every one,
   * return every lease, flush records, rollups and health, and stop the
   * DynamoDB stand-in last.
   */
  shutdown(options?: { onDrainStart?: (inFlight: number) => void }): Promise<DrainOutcome>;
  /** Stop at once (connections cut), then the same bookkeeping as `shutdown`. */
  close(): Promise<void>;
}

export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const { env } = options;
  const log = options.log ?? ((entry: Record<string, unknown>) => console.error(JSON.stringify(entry)));
  const dataDir = options.dataDir;
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const dynamo: LocalDynamo = await startLocalDynamo(dataDir === undefined ? undefined : path.join(dataDir, 'dynamodb'));
  const usageDirectory = path.join(dataDir ?? (await import('node:os')).tmpdir(), dataDir === undefined ? `switchyard-usage-${process.pid}-${Date.now()}` : 'usage');
  const simulatorBox: { simulator?: Simulator } = {};
  const simulatorServer = await serve((request) => (simulatorBox.simulator as Simulator).handle(request));
  let catalog: Catalog;
  try {
    catalog = await loadCatalog(options.catalogDocument, env.SWITCHYARD_CATALOG, simulatorServer.url);
  } catch (error) {
    await simulatorServer.close();
    await dynamo.close();
    throw error;
  }
  const simulator = createSimulator({ catalog });
  simulatorBox.simulator = simulator;

  const table: Table = { client: dynamo.client, name: dynamo.tableName };
  const settings = settingsWith(options.settings);
  // A data folder is one gateway's at a time (the stand-in locks it): a hold
  // found in it at start is a predecessor's that died without settling it.
  if (dataDir !== undefined) await releasePredecessorHolds(table, log);
  const health = createHealthTracker({
    store: createHealthStore(table),
    now: Date.now,
    endpointIds: catalog.endpoints.map((endpoint) => endpoint.id),
    onError: (error) => log({ level: 'warn', message: 'health store failed', error: String(error) }),
  });
  const usageSink = createFileUsageSink(usageDirectory);
  const { gateway, deps, drain, stop: stopGateway } = assembleGateway({
    catalog,
    table,
    credentials: environmentCredentials(env),
    usageSink,
    health,
    awsCredentials: defaultProvider(),
    settings,
    log,
    fetch: createNodeFetch(),
  });
  let keys: SeededKeys;
  try {
    keys = await seedLocalKeys({ table, dataDir, env, seedCreditsMicros: options.seedCreditsMicros ?? 10_000_000 });
  } catch (error) {
    await simulatorServer.close();
    await dynamo.close();
    throw error;
  }
  const server: RunningServer = await serveGateway(gateway, {
    port: options.port,
    host: env.SWITCHYARD_HOST ?? '127.0.0.1',
    maxBodyBytes: settings.maxBodyBytes * 2,
  });
  // The periodic tasks below, while they run: a stop waits for them before it closes the store.
  const running = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>): void => {
    running.add(task);
    void task.finally(() => running.delete(task));
  };
  // Holds of requests that outlived their TTL are reclaimed once they expire.
  const sweep = setInterval(() => {
    const onError = (accountId: string, error: unknown) => log({ level: 'error', message: 'reclaim failed', account: accountId, error: String(error) });
    track(reclaimAllExpiredHolds(table, Date.now(), { onError }).catch((error: unknown) => log({ level: 'error', message: 'reclaim failed', error: String(error) })));
  }, 60_000);
  sweep.unref();
  // Health news goes to the store, and other writers' news comes back, off the request path.
  const healthSync = setInterval(() => {
    track(health.flush().then(() => health.refresh()));
  }, 5_000);
  healthSync.unref();
  // Full batches of generation records write themselves; this sends the last
  // partial one, since no per-request drain runs here as it does on Lambda.
  const generationSync = setInterval(() => {
    track(deps.generations.flush());
  }, 1_000);
  generationSync.unref();

  let stopped: Promise<DrainOutcome> | undefined;
  const stopAll = (endRequests: () => Promise<DrainOutcome>): Promise<DrainOutcome> =>
    (stopped ??= (async () => {
      clearInterval(sweep);
      clearInterval(healthSync);
      clearInterval(generationSync);
      const outcome = await endRequests();
      // Every request has ended: settle, record and release before the store goes.
      await stopGateway();
      while (running.size > 0) await Promise.all([...running]);
      await health.flush();
      await usageSink.close();
      await simulatorServer.close();
      await dynamo.close();
      return outcome;
    })());

  return {
    url: server.url,
    baseUrl: `${server.url}/api/v1`,
    keys,
    catalog,
    simulator,
    simulatorUrl: simulatorServer.url,
    table,
    usageDirectory,
    dynamoPid: dynamo.pid,
    gateway,
    idle: drain,
    inFlight: () => server.inFlight(),
    shutdown: (stopOptions = {}) =>
      stopAll(() =>
        server.drain({
          drainMs: settings.shutdownDrainMs,
          cutReason: gatewayStopping(),
          ...(stopOptions.onDrainStart === undefined ? {} : { onStart: stopOptions.onDrainStart }),
        }),
      ),
    async close() {
      await stopAll(async () => {
        const inFlight = server.inFlight();
        await server.close();
        return { inFlight, cut: 0, forced: inFlight };
      });
    },
  };
}

async function releasePredecessorHolds(table: Table, log: (entry: Record<string, unknown>) => void): Promise<void> {
  const released = await releaseEveryHold(table);
  if (released.accountHolds === 0 && released.keyHolds === 0) return;
  log({
    level: 'warn',
    message: 'released the credit holds of a gateway that stopped without settling them',
    account_holds: released.accountHolds,
    key_holds: released.keyHolds,
    usd: microsToUsd(released.micros),
  });
}

async function loadCatalog(document: unknown, file: string | undefined, simulatorUrl: string): Promise<Catalog> {
  if (document !== undefined) return createCatalog(document, { simulatorUrl, source: 'catalog' });
  if (file === undefined || file === '') return defaultCatalog({ simulatorUrl });
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`SWITCHYARD_CATALOG ${file} is not valid JSON: ${String(error)}`, { cause: error });
  }
  return createCatalog(parsed, { simulatorUrl, source: file });
}

