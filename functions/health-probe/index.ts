// The health probe on Lambda, run each minute by EventBridge Scheduler: builds
// the same dependencies as the gateway and hands them to lib/health's
// runProbe, which records every endpoint's health in the table. Its role may
// write health items only (infra/constructs/health-probe.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';
import { runProbe } from '../../lib/health/probe.ts';
import * as anthropic from '../../lib/providers/anthropic/index.ts';
import * as bedrock from '../../lib/providers/bedrock/index.ts';
import * as gemini from '../../lib/providers/gemini/index.ts';
import * as openai from '../../lib/providers/openai/index.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { readProbeConfig } from '../shared/config.ts';
import { secretsManagerCredentials } from '../shared/credentials.ts';
import { lambdaObservability } from '../shared/observability.ts';
import { METRIC_SERVICES, OPERATIONAL_METRICS } from '../../infra/operational-metrics.ts';

const config = readProbeConfig();
const table = { client: new DynamoDBClient({}), name: config.tableName };
const catalog = config.catalogJson === undefined ? defaultCatalog() : createCatalog(JSON.parse(config.catalogJson), { source: 'SWITCHYARD_CATALOG_JSON' });
const adapters = {
  openai: openai.createAdapter(),
  anthropic: anthropic.createAdapter(),
  gemini: gemini.createAdapter(),
  bedrock: bedrock.createAdapter({ awsCredentials: defaultProvider() }),
};
// Module scope: a warm container keeps the secret cached between runs.
const credentials = secretsManagerCredentials({ secretId: config.secretId });
const store = createHealthStore(table);
const observability = lambdaObservability(METRIC_SERVICES.healthProbe);

export const handler = async (): Promise<{ ok: number; failed: number; skipped: number }> => {
  const summary = await runProbe({
    catalog,
    adapters,
    credentials,
    fetch: (input, init) => fetch(input, init),
    store,
    now: Date.now,
  });
  // Endpoint ids, outcomes and status codes only: never an upstream message or a credential.
  for (const result of summary.results) {
    if (result.outcome !== 'ok') observability.log({ level: result.outcome === 'failed' ? 'warn' : 'info', message: 'probe', ...result });
  }
  observability.log({ level: 'info', message: 'probe finished', ok: summary.ok, failed: summary.failed, skipped: summary.skipped });
  observability.count(OPERATIONAL_METRICS.probeEndpointsOk, summary.ok);
  observability.count(OPERATIONAL_METRICS.probeEndpointsFailed, summary.failed);
  observability.count(OPERATIONAL_METRICS.probeEndpointsSkipped, summary.skipped);
  await observability.flush();
  return { ok: summary.ok, failed: summary.failed, skipped: summary.skipped };
};
