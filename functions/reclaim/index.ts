// The reclaim sweep on Lambda, run every five minutes by EventBridge
// Scheduler: returns credit holds whose request never settled (a crash, a
// timeout) to their accounts and keys. Its role may write account and key
// items only (infra/constructs/reclaim-sweep.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readTableName } from '../shared/config.ts';
import { createReclaimHandler } from './handler.ts';

export const handler = createReclaimHandler({
  table: { client: new DynamoDBClient({}), name: readTableName() },
  now: Date.now,
  log: (entry) => console.log(JSON.stringify(entry)),
});
