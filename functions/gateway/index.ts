// The gateway on Lambda: a thin middy shell in streaming mode around
// lib/http. Dependencies are built once per container, at start-up; a warm
// request does no work that could have happened here. Billing and usage
// finish when the stream finishes (the requestEnd hook waits for them), not
// in an `after` middleware, which middy runs before the body is streamed.
//
// The cold start (process start to the first response byte) is kept short:
// what the first response does not need (the Firehose client, the adapters of
// other wire kinds) loads on first use, and on an on-demand start the reads
// the first request would wait for (the provider secret; DynamoDB's first
// request, which also pays for the connection, credentials and signing key)
// begin here, in parallel, instead of in series inside that request.
// Requests go through the app's plain `serve` door, not web Request/Response
// objects: their classes are Node's fetch implementation, loaded on first use.
//
// What an execution environment holds when Lambda freezes, shuts down or
// times it out, and how each is let go (docs/deploying.md, "When an
// execution environment stops"):
//   - usage records, generation records, rollups, lease charges, health news:
//     written before each invocation ends (`requestEnd` awaits `drain`), so a
//     frozen environment holds none of them unwritten;
//   - its lease (an account hold it admits requests against): returned on
//     SIGTERM, which Lambda sends before it shuts an environment down when an
//     extension is registered; otherwise it expires with the hold TTL and the
//     reclaim sweep (functions/reclaim) returns it, charging nothing;
//   - a request the function timeout cuts: the request deadline
//     (settings.attempts.deadlineMs, 14 min) ends it in-band and settles it
//     before the 15-minute timeout would; if the timeout still comes first,
//     its hold expires and is reclaimed, and its record is lost;
//   - a client that left a Function URL stream: Lambda tells the function
//     nothing; the first write that fails destroys the reply stream, which
//     cancels the frames and aborts the upstream request (frameReadable in
//     shared/lambda-http.ts), and the generation is billed for what was
//     generated and recorded as cancelled. Until then the stream runs on,
//     bounded by the request's max_tokens and the deadline.
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createCatalog, defaultCatalog } from '../../lib/catalog/catalog.ts';
import { assembleGateway } from '../../lib/http/assemble.ts';
import { lambdaLeasePolicy } from '../../lib/billing/credit-ledger.ts';
import { createHealthTracker } from '../../lib/health/index.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { readConfig } from '../shared/config.ts';
import { secretsManagerCredentials } from '../shared/credentials.ts';
import { createNodeFetch } from '../shared/node-fetch.ts';
import { describeCause, GatewayError } from '../../lib/api/errors.ts';
import { errorResponse } from '../../lib/api/reply.ts';
import { gatewayRequestFromEvent, isFunctionUrlEvent, resultFromReply, type StreamingResult } from '../shared/lambda-http.ts';
import { lambdaObservability } from '../shared/observability.ts';
import { METRIC_SERVICES, OPERATIONAL_METRICS } from '../../infra/operational-metrics.ts';
import { lazyFirehoseSink } from './usage-sink.ts';

const config = readConfig();
const table = { client: new DynamoDBClient({}), name: config.tableName };
const catalog = config.catalogJson === undefined ? defaultCatalog() : createCatalog(JSON.parse(config.catalogJson), { source: 'SWITCHYARD_CATALOG_JSON' });
// Structured logs and metrics through Powertools, loaded on first use (off the cold start).
const observability = lambdaObservability(METRIC_SERVICES.gateway);
const log = observability.log;

const health = createHealthTracker({
  store: createHealthStore(table),
  now: Date.now,
  endpointIds: catalog.endpoints.map((endpoint) => endpoint.id),
  onError: (error) => log({ level: 'warn', message: 'health store failed', error: String(error) }),
});
const credentials = secretsManagerCredentials({
  secretId: config.secretId,
  // Requests to providers that need a key fail over (503 when none is left) until the secret can be read.
  onLoadError: (error) => log({ level: 'error', message: 'provider credentials unavailable', error: error.message, cause: describeCause(error.cause) }),
});
const { gateway, deps, drain, stop } = assembleGateway({
  catalog,
  table,
  credentials,
  usageSink: lazyFirehoseSink({
    streamName: config.usageStreamName,
    log,
    onUndelivered: () => observability.count(OPERATIONAL_METRICS.usageRecordsUndelivered),
  }),
  health,
  awsCredentials: defaultProvider(),
  settings: defaultSettings,
  // One request at a time per execution environment, many environments per balance.
  leasePolicy: lambdaLeasePolicy,
  log,
  fetch: createNodeFetch(),
});

// Lambda's shutdown (with an extension registered): the lease goes back to its balance, and the rest is written.
// (Lambda ends the process after its shutdown phase whether or not it has exited by then.)
process.once('SIGTERM', () => {
  void stop()
    .then(() => log({ level: 'info', message: 'execution environment stopping: lease returned, records written' }))
    .then(() => observability.flush())
    .catch((error: unknown) => log({ level: 'error', message: 'shutdown bookkeeping failed; open holds expire and are reclaimed', error: String(error) }))
    .finally(() => process.exit(0));
});

if (config.invocationWaiting) {
  void credentials.preload();
  deps.waitUntil(health.refresh());
}

/** What a caller sees when the function is invoked with anything but a Function URL request. */
const notAFunctionUrlRequest = new GatewayError({
  status: 400,
  type: 'invalid_request',
  message: 'The invocation event is not a Lambda Function URL request (payload format 2.0): call the gateway through its Function URL',
});

export const handler = middy<unknown, StreamingResult>({
  executionMode: executionModeStreamifyResponse,
  // Settlement, records and health writes of this invocation finish before it ends, and so do its log lines and metrics.
  requestEnd: async () => {
    await drain();
    await observability.flush();
  },
}).handler(async (event: unknown): Promise<StreamingResult> => {
  if (!isFunctionUrlEvent(event)) {
    // Names the event's top-level fields only: its values may be anything, a prompt included.
    const fields = typeof event === 'object' && event !== null ? Object.keys(event).slice(0, 20) : [typeof event];
    log({ level: 'warn', message: 'invocation event is not a Function URL request', fields });
    return resultFromReply(errorResponse(notAFunctionUrlRequest));
  }
  // The health snapshot is reloaded off the request path, at most every few seconds.
  deps.waitUntil(health.refresh());
  const reply = await gateway.serve(gatewayRequestFromEvent(event));
  return resultFromReply(reply);
});
