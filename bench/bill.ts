// The bill per request, from operations counted on the wire (bench/counted-aws.ts):
// the bundle in one process, as a warm Lambda environment serves requests one
// at a time (in the box of the deployed memory size when cgroups can be
// written), with DynamoDB behind a counting proxy and Firehose and Secrets
// Manager on a counting stand-in, and its log lines counted as CloudWatch
// would receive them. Two requests, each on Claude Sonnet 4.5's prices: a
// short JSON one (a 2k-token prompt, 50 tokens back) and a stream (the same
// prompt, 500 tokens). The upstream's own time is set, not measured (the mock
// upstream answers at once): 1 s for the JSON request, 10 s for the stream;
// the gateway's own time on top is measured.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { PRICES, SONNET_PER_TOKEN } from './aws-prices.ts';
import type { LambdaBox } from './cgroup.ts';
import { nextMessage } from './child-process.ts';
import type { CountingAws, DynamoCounter } from './counted-aws.ts';
import { functionUrlEvent, type LambdaEnvironment } from './lambda-cold-start.ts';
import { coldStartInBox, directBody, gatewayBody, startBoxed, type RequestShape } from './lambda-box.ts';
import { createAgent, runLoad } from './load-client.ts';
import { median } from './statistics.ts';
import { SIMULATED_PROVIDER, SWITCHYARD_MODEL, type Target } from './workload.ts';

/** About 2,000 tokens of English at four bytes a token. */
const PROMPT_BYTES = 8_000;

export interface BillRequestKind {
  name: 'json' | 'stream';
  label: string;
  shape: RequestShape;
  /** What the upstream takes for it, set (a real provider's time), ms. */
  upstreamMs: number;
  promptTokens: number;
  completionTokens: number;
}

export const BILL_REQUESTS: readonly BillRequestKind[] = [
  { name: 'json', label: 'short JSON request (2k-token prompt, 50 tokens back, 1 s upstream)', shape: { promptBytes: PROMPT_BYTES, tools: false, stream: false, maxTokens: 50 }, upstreamMs: 1_000, promptTokens: 2_000, completionTokens: 50 },
  { name: 'stream', label: '10 s stream (2k-token prompt, 500 tokens back)', shape: { promptBytes: PROMPT_BYTES, tools: false, stream: true, maxTokens: 500 }, upstreamMs: 10_000, promptTokens: 2_000, completionTokens: 500 },
];

export interface CountedPerRequest {
  requests: number;
  errors: number;
  dynamoCalls: Record<string, number>;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** Write units on the account item alone. */
  accountItemWriteUnits: number;
  firehoseRecords: number;
  firehoseRecordBytes: number;
  /** A record's bytes in S3 (Firehose gzips): a batch of the records gzipped, per record. */
  s3BytesPerRecord: number;
  secretsCalls: number;
  /** What the function wrote to stdout and stderr (its log lines and metrics), bytes. */
  functionLogBytes: number;
  /** Lambda's own START, END and REPORT lines for an invocation, bytes. */
  platformLogBytes: number;
  /** Gateway time on top of the upstream's: median of (gateway total − direct total), ms. */
  gatewayMs: number;
}

export interface BillResult {
  memoryMb: number;
  boxed: boolean;
  perRequest: Record<'json' | 'stream', CountedPerRequest>;
  /** One container's start beyond its first request's share: calls and units, counted over a fresh process. */
  containerStart: { dynamoCalls: Record<string, number>; dynamoReadUnits: number; dynamoWriteUnits: number; secretsCalls: number; logBytes: number };
}

const ACCOUNT_PK_PREFIX = 'ACCOUNT#';

/** Lambda's platform lines for one invocation, as the log group receives them. */
function platformLines(durationMs: number, memoryMb: number): string {
  const id = randomUUID();
  return [
    `START RequestId: ${id} Version: $LATEST\n`,
    `END RequestId: ${id}\n`,
    `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 99 MB\t\n`,
  ].join('');
}

const quiet = async (dynamo: DynamoCounter, aws: CountingAws): Promise<void> => {
  // Settlement, usage records and lease flushes finish after the body; wait until nothing has moved for a second (bounded).
  const deadline = performance.now() + 15_000;
  let last = -1;
  while (performance.now() < deadline) {
    const seen = Object.values(dynamo.counts().calls).reduce((a, b) => a + b, 0) + aws.counts().firehoseRecordBytes.length;
    if (seen === last) return;
    last = seen;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
};

export async function measureBill(options: {
  environment: LambdaEnvironment;
  dynamo: DynamoCounter;
  aws: CountingAws;
  upstreamUrl: string;
  memoryMb: number;
  box: (name: string) => LambdaBox | undefined;
  requestsPerKind: number;
  log: (line: string) => void;
}): Promise<BillResult> {
  const { environment, dynamo, aws, memoryMb } = options;
  let logBytes = 0;
  const box = options.box('bill-warm');
  const started = startBoxed({ name: 'bill process', memoryMb, box, env: { ...environment.env, SWITCHYARD_BENCH_MODE: 'serve' }, onOutput: (bytes) => (logBytes += bytes) });
  const perRequest: Partial<Record<'json' | 'stream', CountedPerRequest>> = {};
  try {
    const { url } = await nextMessage<{ type: 'ready'; url: string }>(started, 'ready', 120_000);
    const gateway: Target = { name: 'switchyard', url: new URL(`${url}/api/v1/chat/completions`), model: SWITCHYARD_MODEL, headers: { authorization: `Bearer ${environment.apiKey}` } };
    const direct: Target = { name: 'direct', url: new URL(`${options.upstreamUrl}/${SIMULATED_PROVIDER.id}/chat/completions`), model: SIMULATED_PROVIDER.upstreamModel, headers: {} };
    const agent = createAgent(1);
    for (const kind of BILL_REQUESTS) await runLoad(gateway, { concurrency: 1, count: 3, budgetMs: 60_000, body: gatewayBody(kind.shape), stream: kind.shape.stream }, agent);
    await quiet(dynamo, aws);
    for (const kind of BILL_REQUESTS) {
      const spec = (body: string) => ({ concurrency: 1, count: options.requestsPerKind, budgetMs: 120_000, body, stream: kind.shape.stream });
      const directRun = await runLoad(direct, spec(directBody(kind.shape)), agent);
      dynamo.reset();
      aws.reset();
      logBytes = 0;
      const run = await runLoad(gateway, spec(gatewayBody(kind.shape)), agent);
      await quiet(dynamo, aws);
      const counts = dynamo.counts();
      const awsCounts = aws.counts();
      const n = Math.max(1, run.ttfb.length + run.errors);
      const records = awsCounts.firehoseRecords;
      const gatewayMs = Math.max(0, median(run.total) - median(directRun.total));
      perRequest[kind.name] = {
        requests: run.ttfb.length,
        errors: run.errors,
        dynamoCalls: Object.fromEntries(Object.entries(counts.calls).map(([operation, calls]) => [operation, calls / n])),
        dynamoReadUnits: counts.readUnits / n,
        dynamoWriteUnits: counts.writeUnits / n,
        accountItemWriteUnits: counts.writes.filter((write) => write.pk.startsWith(ACCOUNT_PK_PREFIX)).reduce((sum, write) => sum + write.units, 0) / n,
        firehoseRecords: records.length / n,
        firehoseRecordBytes: records.length === 0 ? 0 : records.reduce((sum, record) => sum + record.length, 0) / records.length,
        s3BytesPerRecord: records.length === 0 ? 0 : gzipSync(Buffer.concat(records.map((record) => Buffer.concat([record, Buffer.from('\n')])))).length / records.length,
        secretsCalls: Object.entries(awsCounts.calls).filter(([target]) => target.endsWith('GetSecretValue')).reduce((sum, [, calls]) => sum + calls, 0) / n,
        functionLogBytes: logBytes / n,
        platformLogBytes: Buffer.byteLength(platformLines(kind.upstreamMs + gatewayMs, memoryMb)),
        gatewayMs,
      };
      options.log(`  ${kind.name}: ${counts.writeUnits / n} WCU, ${counts.readUnits / n} RCU, ${records.length / n} records per request`);
    }
    agent.destroy();
  } finally {
    await started.stop();
    box?.remove();
  }
  // A fresh container: its whole life (the first invocation and the stand-in's second) less two warm streams' share.
  dynamo.reset();
  aws.reset();
  let coldLogBytes = 0;
  const coldBox = options.box('bill-cold');
  const stream = BILL_REQUESTS[1] as BillRequestKind;
  try {
    await coldStartInBox({
      name: 'bill cold start',
      memoryMb,
      box: coldBox,
      env: { ...environment.env, SWITCHYARD_BENCH_EVENT: JSON.stringify(functionUrlEvent(environment.apiKey, gatewayBody(stream.shape))) },
      onOutput: (bytes) => (coldLogBytes += bytes),
    });
  } finally {
    coldBox?.remove();
  }
  await quiet(dynamo, aws);
  const warm = perRequest.stream as CountedPerRequest;
  const cold = dynamo.counts();
  const coldAws = aws.counts();
  return {
    memoryMb,
    boxed: box !== undefined,
    perRequest: perRequest as Record<'json' | 'stream', CountedPerRequest>,
    containerStart: {
      dynamoCalls: Object.fromEntries(Object.entries(cold.calls).map(([operation, calls]) => [operation, calls - 2 * (warm.dynamoCalls[operation] ?? 0)])),
      dynamoReadUnits: cold.readUnits - 2 * warm.dynamoReadUnits,
      dynamoWriteUnits: cold.writeUnits - 2 * warm.dynamoWriteUnits,
      secretsCalls: Object.entries(coldAws.calls).filter(([target]) => target.endsWith('GetSecretValue')).reduce((sum, [, calls]) => sum + calls, 0),
      logBytes: coldLogBytes - 2 * warm.functionLogBytes,
    },
  };
}

export interface BillLine {
  item: string;
  counted: string;
  usd: number;
}

/** Requests per second the usage stream carries, for the share of an S3 PUT per record: Firehose writes an object per 60 s below 5 MiB a minute. */
export const BILL_TRAFFIC_RPS = 1;
const FIREHOSE_BUFFER_SECONDS = 60;
const FIREHOSE_BUFFER_BYTES = 5 * 1024 ** 2;
/** The credentials cache keeps the provider secret this long (functions/shared/credentials.ts). */
const SECRET_TTL_S = 300;

export function billLines(result: BillResult, kind: BillRequestKind): BillLine[] {
  const counted = result.perRequest[kind.name];
  const gb = result.memoryMb / 1024;
  const billedMs = Math.ceil(kind.upstreamMs + counted.gatewayMs);
  const recordsPerObject = Math.max(1, Math.min(BILL_TRAFFIC_RPS * FIREHOSE_BUFFER_SECONDS, FIREHOSE_BUFFER_BYTES / Math.max(1, counted.firehoseRecordBytes)));
  const firehoseBilledBytes = counted.firehoseRecords * Math.ceil(counted.firehoseRecordBytes / PRICES.firehoseRecordRoundingBytes) * PRICES.firehoseRecordRoundingBytes;
  const logBytes = counted.functionLogBytes + counted.platformLogBytes;
  // A warm container reads the secret again once its cache expires: one call per SECRET_TTL_S of its life, shared by the requests it served meanwhile.
  const requestsPerSecretRead = Math.max(1, SECRET_TTL_S / ((kind.upstreamMs + counted.gatewayMs) / 1000));
  const secretCalls = counted.secretsCalls + 1 / requestsPerSecretRead;
  return [
    { item: 'Lambda duration (arm64)', counted: `${billedMs.toLocaleString('en-US')} ms × ${result.memoryMb} MB = ${((billedMs / 1000) * gb).toFixed(3)} GB-s`, usd: (billedMs / 1000) * gb * PRICES.lambdaArmPerGbSecond },
    { item: 'Lambda request', counted: '1', usd: PRICES.lambdaPerRequest },
    { item: 'DynamoDB writes', counted: `${counted.dynamoWriteUnits.toFixed(2)} WRU (${counted.accountItemWriteUnits.toFixed(2)} on the account item)`, usd: counted.dynamoWriteUnits * PRICES.dynamoPerWriteUnit },
    { item: 'DynamoDB reads', counted: `${counted.dynamoReadUnits.toFixed(2)} RRU`, usd: counted.dynamoReadUnits * PRICES.dynamoPerReadUnit },
    { item: 'Firehose ingestion', counted: `${counted.firehoseRecords.toFixed(2)} record of ${counted.firehoseRecordBytes.toFixed(0)} B, billed as ${(firehoseBilledBytes / 1024).toFixed(0)} KB`, usd: (firehoseBilledBytes / 1024 ** 3) * PRICES.firehosePerGb },
    { item: 'S3 PUT (share)', counted: `1 object per ${recordsPerObject.toFixed(0)} records at ${BILL_TRAFFIC_RPS} request/s`, usd: (counted.firehoseRecords / recordsPerObject) * PRICES.s3PerPut },
    { item: 'S3 storage, a month', counted: `${counted.s3BytesPerRecord.toFixed(0)} B gzipped`, usd: ((counted.firehoseRecords * counted.s3BytesPerRecord) / 1024 ** 3) * PRICES.s3PerGbMonth },
    { item: 'Athena, per query that reads it', counted: `${counted.s3BytesPerRecord.toFixed(0)} B scanned`, usd: ((counted.firehoseRecords * counted.s3BytesPerRecord) / 1e12) * PRICES.athenaPerTbScanned },
    { item: 'Secrets Manager', counted: `${secretCalls.toFixed(4)} calls (one per ${SECRET_TTL_S} s of a warm container)`, usd: secretCalls * PRICES.secretsPerCall },
    { item: 'CloudWatch Logs ingestion', counted: `${logBytes.toFixed(0)} B (${counted.functionLogBytes.toFixed(0)} B the function's, ${counted.platformLogBytes} B Lambda's START/END/REPORT)`, usd: (logBytes / 1024 ** 3) * PRICES.logsPerGbIngested },
  ];
}

export function requestCostUsd(kind: BillRequestKind): number {
  return kind.promptTokens * SONNET_PER_TOKEN.input + kind.completionTokens * SONNET_PER_TOKEN.output;
}
