// us-east-1 public list prices the bill per request uses, as data: each with
// the page it is published on. They change; the date says when they were
// read, and the report prints it beside every figure made from them.

export const PRICES_AS_OF = '2025-10 (AWS public pricing pages, us-east-1; OpenRouter fee from its FAQ)';

export const PRICES = {
  /** aws.amazon.com/lambda/pricing: Arm, first 7.5 billion GB-s a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** aws.amazon.com/lambda/pricing: requests, incl. Function URL invocations (no extra charge for the URL). */
  lambdaPerRequest: 0.2 / 1e6,
  /** aws.amazon.com/lambda/pricing: streamed response bytes beyond the first 6 MB of a response. */
  lambdaStreamedPerGbBeyond6Mb: 0.008,
  /** aws.amazon.com/dynamodb/pricing/on-demand: standard table class, since the November 2024 cut. */
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  /** aws.amazon.com/firehose/pricing: Direct PUT ingestion, first 500 TB a month, each record rounded up to 5 KB. */
  firehosePerGb: 0.029,
  firehoseRecordRoundingBytes: 5 * 1024,
  /** aws.amazon.com/s3/pricing: S3 Standard PUT and storage. */
  s3PerPut: 0.005 / 1000,
  s3PerGbMonth: 0.023,
  /** aws.amazon.com/athena/pricing: SQL queries, per TB scanned (10 MB minimum per query). */
  athenaPerTbScanned: 5,
  /** aws.amazon.com/secrets-manager/pricing: API calls. */
  secretsPerCall: 0.05 / 10_000,
  /** aws.amazon.com/cloudwatch/pricing: Logs, standard ingestion, and storage. */
  logsPerGbIngested: 0.5,
  logsPerGbMonthStored: 0.03,
  /** openrouter.ai/docs/faq: the fee on credit purchases, the fee a self-hosted gateway saves, applied to the request's cost. */
  openRouterFee: 0.055,
} as const;

/** Claude Sonnet 4.5: $3 per million input tokens, $15 per million output tokens. */
export const SONNET_PER_TOKEN = { input: 3 / 1e6, output: 15 / 1e6 } as const;
