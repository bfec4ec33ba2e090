// The reclaim sweep on Lambda, run every five minutes by EventBridge
// Scheduler: returns credit holds whose request never settled (a crash, a
// timeout) to their accounts and keys. Its role may write account and key
// items only (infra/constructs/reclaim-sweep.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readTableName } from '../shared/config.ts';
import { lambdaObservability } from '../shared/observability.ts';
import { METRIC_SERVICES, OPERATIONAL_METRICS } from '../../infra/operational-metrics.ts';
import { createReclaimHandler } from './handler.ts';

const observability = lambdaObservability(METRIC_SERVICES.reclaim);

export const handler = createReclaimHandler({
  table: { client: new DynamoDBClient({}), name: readTableName() },
  now: Date.now,
  log: observability.log,
  publish: async (summary) => {
    observability.count(OPERATIONAL_METRICS.reclaimedHolds, summary.reclaimed);
    observability.count(OPERATIONAL_METRICS.reclaimFailedAccounts, summary.failed);
    await observability.flush();
  },
});
