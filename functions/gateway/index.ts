// The gateway on Lambda: a thin middy shell in streaming mode around
// lib/http. Dependencies are built once per container, at start-up; a warm
// request does no work that could have happened here. Billing and usage
// finish when the stream finishes (the requestEnd hook waits for them), not
// in an `after` middleware, which middy runs before the body is streamed.
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';
import { createGateway } from '../../lib/http/app.ts';
import { newGenerationId, type GatewayDeps } from '../../lib/http/deps.ts';
import { createHealthTracker } from '../../lib/health/index.ts';
import { createKeyCache } from '../../lib/keys/key-cache.ts';
import { anthropicAdapter } from '../../lib/providers/anthropic/index.ts';
import { createBedrockAdapter } from '../../lib/providers/bedrock/index.ts';
import { geminiAdapter } from '../../lib/providers/gemini/index.ts';
import { openaiAdapter } from '../../lib/providers/openai/index.ts';
import { abortableSleep } from '../../lib/routing/attempt-loop.ts';
import { createStickySessions } from '../../lib/routing/plan.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { getKey } from '../../lib/store/keys.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { createFirehoseSink } from '../../lib/usage/firehose-sink.ts';
import { readConfig } from '../shared/config.ts';
import { secretsManagerCredentials } from '../shared/credentials.ts';
import { requestFromEvent, resultFromResponse, type StreamingResult } from '../shared/lambda-http.ts';

const config = readConfig();
const table = { client: new DynamoDBClient({}), name: config.tableName };
const catalog = config.catalogJson === undefined ? defaultCatalog() : createCatalog(JSON.parse(config.catalogJson), { source: 'SWITCHYARD_CATALOG_JSON' });
const log = (entry: Record<string, unknown>): void => console.log(JSON.stringify(entry));
const pending = new Set<Promise<unknown>>();
const settings = defaultSettings;

const health = createHealthTracker({
  store: createHealthStore(table),
  now: Date.now,
  endpointIds: catalog.endpoints.map((endpoint) => endpoint.id),
  onError: (error) => log({ level: 'warn', message: 'health store failed', error: String(error) }),
});
const deps: GatewayDeps = {
  catalog,
  adapters: {
    openai: openaiAdapter,
    anthropic: anthropicAdapter,
    gemini: geminiAdapter,
    bedrock: createBedrockAdapter({ credentials: defaultProvider() }),
  },
  credentials: secretsManagerCredentials({ secretId: config.secretId }),
  table,
  keys: createKeyCache({
    load: (hash) => getKey(table, hash),
    now: Date.now,
    ttlMs: settings.keyCacheTtlMs,
    negativeTtlMs: settings.negativeKeyCacheTtlMs,
    maxEntries: settings.keyCacheMaxEntries,
  }),
  usageSink: createFirehoseSink({ client: new FirehoseClient({}), streamName: config.usageStreamName, log: (line) => console.log(line) }),
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
const gateway = createGateway(deps);

/** Settlement, records and health writes of this invocation, then the buffered usage records. */
async function drain(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
  await Promise.all([deps.usageSink.flush(), health.flush()]);
}

export const handler = middy<LambdaFunctionURLEvent, StreamingResult>({
  executionMode: executionModeStreamifyResponse,
  requestEnd: drain,
}).handler(async (event: LambdaFunctionURLEvent): Promise<StreamingResult> => {
  // The health snapshot is reloaded off the request path, at most every few seconds.
  deps.waitUntil(health.refresh());
  const response = await gateway.handle(requestFromEvent(event));
  return resultFromResponse(response);
});
