// Builds the gateway from its outside parts, the same way on Lambda and in
// local mode: the edges differ only in which store, secrets, usage sink and
// AWS identity they hand in.
import type { AwsCredentialIdentityProvider } from '../providers/bedrock/signing-fetch.ts';
import { createCreditLedger, type LeasePolicy } from '../billing/credit-ledger.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { HealthTracker } from '../health/tracker.ts';
import { createEmbeddingAdapters } from '../embeddings/adapters.ts';
import { createKeyCache } from '../keys/key-cache.ts';
import { createAdapter as createOpenaiAdapter } from '../providers/openai/index.ts';
import type { Credentials, Fetch, ProviderAdapter } from '../providers/types.ts';
import { abortableSleep } from '../routing/attempt-loop.ts';
import { createStickySessions } from '../routing/plan.ts';
import type { Settings } from '../settings.ts';
import type { Table } from '../store/dynamo.ts';
import { createGenerationWriter } from '../store/generations.ts';
import { getKey } from '../store/keys.ts';
import { createTokenCounters } from '../tokens/token-counters.ts';
import type { UsageSink } from '../usage/record.ts';
import { createGateway, type Gateway } from './app.ts';
import { createGenerationIds, type GatewayDeps, type Log } from '../pipeline/deps.ts';

export interface GatewayParts {
  catalog: Catalog;
  table: Table;
  credentials: Credentials;
  usageSink: UsageSink;
  health: HealthTracker;
  /** The gateway's own AWS identity, for Bedrock. */
  awsCredentials: AwsCredentialIdentityProvider;
  settings: Settings;
  log: Log;
  /** The credit fast path's policy; the defaults when absent. */
  leasePolicy?: LeasePolicy;
  /** Tests hand in their own clock, draw and adapters. */
  now?: () => number;
  random?: () => number;
  adapters?: Partial<GatewayDeps['adapters']>;
  /** The upstream client; the global fetch when absent (the edges hand in a faster one on node:http). */
  fetch?: Fetch;
}

export interface AssembledGateway {
  gateway: Gateway;
  deps: GatewayDeps;
  /** Resolves when every bookkeeping task started so far has finished, and buffered records and health news are out. */
  drain(): Promise<void>;
  /**
   * At shutdown, once no request is left running: every bookkeeping task
   * finished, every lease returned to its balance, every record, rollup and
   * health news written. Nothing stays held for the TTL.
   */
  stop(): Promise<void>;
}

/**
 * An adapter whose code (request conversion, upstream schemas, signing) is
 * loaded by its first request: a bundle keeps it in a chunk of its own, so a
 * cold start whose first request goes elsewhere neither parses it nor builds
 * its schemas.
 */
export function adapterOnFirstUse(load: () => Promise<ProviderAdapter>): ProviderAdapter {
  let adapter: Promise<ProviderAdapter> | undefined;
  return {
    async send(call) {
      adapter ??= load().catch((error: unknown) => {
        // Not kept: the next request tries the load again.
        adapter = undefined;
        throw error;
      });
      return (await adapter).send(call);
    },
  };
}

export function assembleGateway(parts: GatewayParts): AssembledGateway {
  const { table, settings, log, health } = parts;
  const now = parts.now ?? Date.now;
  const pending = new Set<Promise<unknown>>();
  const generationIds = createGenerationIds();
  let healthFlushedAt = Number.NEGATIVE_INFINITY;
  const generations = createGenerationWriter(table, settings.generationTtlDays, log);
  const ledger = createCreditLedger({
    table,
    now,
    holdTtlMs: settings.holdTtlMs,
    log,
    instanceId: crypto.randomUUID().slice(0, 8),
    ...(parts.leasePolicy === undefined ? {} : { policy: parts.leasePolicy }),
    // A charge never reaches the store before its request's record.
    beforeCharging: () => generations.flush(),
  });
  const deps: GatewayDeps = {
    catalog: parts.catalog,
    adapters: {
      // The OpenAI wire serves most endpoints (every OpenAI-compatible host): loaded with the gateway.
      openai: createOpenaiAdapter(),
      anthropic: adapterOnFirstUse(async () => (await import('../providers/anthropic/index.ts')).createAdapter()),
      gemini: adapterOnFirstUse(async () => (await import('../providers/gemini/index.ts')).createAdapter()),
      bedrock: adapterOnFirstUse(async () => (await import('../providers/bedrock/index.ts')).createAdapter({ awsCredentials: parts.awsCredentials })),
      ...parts.adapters,
    },
    embeddingAdapters: createEmbeddingAdapters(parts.awsCredentials),
    credentials: parts.credentials,
    table,
    keys: createKeyCache({
      load: (hash) => getKey(table, hash),
      now,
      ttlMs: settings.keyCacheTtlMs,
      negativeTtlMs: settings.negativeKeyCacheTtlMs,
      maxEntries: settings.keyCacheMaxEntries,
    }),
    ledger,
    generations,
    usageSink: parts.usageSink,
    health,
    sticky: createStickySessions(),
    tokenCounters: createTokenCounters(),
    fetch: parts.fetch ?? ((input, init) => fetch(input, init)),
    now,
    random: parts.random ?? Math.random,
    sleep: abortableSleep,
    generationId: () => generationIds(now()),
    settings,
    log,
    waitUntil: (task) => {
      const tracked = task.catch((error: unknown) => log({ level: 'error', message: 'background task failed', error: String(error) }));
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };
  const settlePending = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    gateway: createGateway(deps),
    deps,
    async stop() {
      await settlePending();
      await ledger.releaseLeases();
      await Promise.all([parts.usageSink.flush(), generations.flush(), health.flush()]);
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
      const healthDue = now() - healthFlushedAt >= settings.healthFlushIntervalMs;
      if (healthDue) healthFlushedAt = now();
      await Promise.all([parts.usageSink.flush(), ledger.flush(), generations.flush(), healthDue ? health.flush() : undefined]);
    },
  };
}
