// Builds the gateway from its outside parts, the same way on Lambda and in
// local mode: the edges differ only in which store, secrets, usage sink and
// AWS identity they hand in.
import type { AwsCredentialIdentityProvider } from '../providers/bedrock/signing-fetch.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { HealthTracker } from '../health/tracker.ts';
import { createKeyCache } from '../keys/key-cache.ts';
import { anthropicAdapter } from '../providers/anthropic/index.ts';
import { createBedrockAdapter } from '../providers/bedrock/index.ts';
import { geminiAdapter } from '../providers/gemini/index.ts';
import { openaiAdapter } from '../providers/openai/index.ts';
import type { Credentials } from '../providers/types.ts';
import { abortableSleep } from '../routing/attempt-loop.ts';
import { createStickySessions } from '../routing/plan.ts';
import type { Settings } from '../settings.ts';
import type { Table } from '../store/dynamo.ts';
import { getKey } from '../store/keys.ts';
import type { UsageSink } from '../usage/record.ts';
import { createGateway, type Gateway } from './app.ts';
import { newGenerationId, type GatewayDeps, type Log } from './deps.ts';

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
}

export interface AssembledGateway {
  gateway: Gateway;
  deps: GatewayDeps;
  /** Resolves when every bookkeeping task started so far has finished, and buffered records and health news are out. */
  drain(): Promise<void>;
}

export function assembleGateway(parts: GatewayParts): AssembledGateway {
  const { table, settings, log, health } = parts;
  const pending = new Set<Promise<unknown>>();
  const deps: GatewayDeps = {
    catalog: parts.catalog,
    adapters: {
      openai: openaiAdapter,
      anthropic: anthropicAdapter,
      gemini: geminiAdapter,
      bedrock: createBedrockAdapter({ credentials: parts.awsCredentials }),
    },
    credentials: parts.credentials,
    table,
    keys: createKeyCache({
      load: (hash) => getKey(table, hash),
      now: Date.now,
      ttlMs: settings.keyCacheTtlMs,
      negativeTtlMs: settings.negativeKeyCacheTtlMs,
      maxEntries: settings.keyCacheMaxEntries,
    }),
    usageSink: parts.usageSink,
    health,
    sticky: createStickySessions(),
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    random: Math.random,
    sleep: abortableSleep,
    generationId: () => newGenerationId(),
    settings,
    log,
    waitUntil: (task) => {
      const tracked = task.catch((error: unknown) => log({ level: 'error', message: 'background task failed', error: String(error) }));
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };
  return {
    gateway: createGateway(deps),
    deps,
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
      await Promise.all([parts.usageSink.flush(), health.flush()]);
    },
  };
}
