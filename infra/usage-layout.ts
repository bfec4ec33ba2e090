// Where usage records land in S3 and how Athena reads them back. Firehose
// converts each record to Parquet (Snappy) with the Glue table's columns and
// writes `usage-parquet/dt=YYYY-MM-DD/hour=HH/` (UTC arrival time of the
// oldest record in each object); the Glue table projects exactly those
// partitions, so no crawler or MSCK REPAIR is ever needed (reliability.md
// §1.7). Athena then reads only the columns a query names.
//
// Before Parquet, Firehose wrote gzipped JSON lines under `usage/`; those
// objects stay where they are, readable as the JSON history table.
//
// The columns repeat the fields of `UsageRecord` (lib/usage/record.ts); infra/
// imports nothing from lib/, so test/infra asserts the two agree.

export const USAGE_DATA_PREFIX = 'usage-parquet/';
/** Where the gzipped JSON objects of the versions before Parquet are (read-only history). */
export const JSON_HISTORY_PREFIX = 'usage/';
export const FIREHOSE_DATA_PREFIX = `${USAGE_DATA_PREFIX}dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
// Outside `usage/`, so failed deliveries never show up as rows.
export const FIREHOSE_ERROR_PREFIX = 'usage-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';

export const PARTITION_KEYS = [
  { name: 'dt', type: 'string', comment: 'UTC arrival date, yyyy-MM-dd' },
  { name: 'hour', type: 'string', comment: 'UTC arrival hour, 00-23' },
] as const;

export const PARTITION_PROJECTION: Readonly<Record<string, string>> = {
  'projection.enabled': 'true',
  'projection.dt.type': 'date',
  'projection.dt.format': 'yyyy-MM-dd',
  'projection.dt.range': 'NOW-2YEARS,NOW',
  'projection.dt.interval': '1',
  'projection.dt.interval.unit': 'DAYS',
  'projection.hour.type': 'integer',
  'projection.hour.range': '0,23',
  'projection.hour.digits': '2',
};

/** The projected partition's location; `${dt}`/`${hour}` are Athena's placeholders, not JS ones. */
export function storageLocationTemplate(bucketName: string, prefix: string = USAGE_DATA_PREFIX): string {
  return `s3://${bucketName}/${prefix}dt=\${dt}/hour=\${hour}/`;
}

/** Hive's Parquet classes: what the Glue table declares and Athena reads the Firehose objects with. */
export const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

/** The compression of the Parquet column chunks (Firehose's default, and local mode's). */
export const PARQUET_COMPRESSION = 'SNAPPY';

export interface UsageColumn {
  name: string;
  type: string;
  comment?: string;
}

export const ATTEMPT_FIELDS: readonly UsageColumn[] = [
  { name: 'endpoint', type: 'string' },
  { name: 'provider', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'status', type: 'int' },
  { name: 'error_code', type: 'string' },
  { name: 'latency_ms', type: 'bigint' },
];

const attemptType = `array<struct<${ATTEMPT_FIELDS.map((field) => `${field.name}:${field.type}`).join(',')}>>`;

export const USAGE_COLUMNS: readonly UsageColumn[] = [
  { name: 'id', type: 'string', comment: 'generation id; dedupe on it (delivery is at-least-once)' },
  { name: 'created_at', type: 'string', comment: 'ISO 8601 UTC' },
  { name: 'key_hash_prefix', type: 'string' },
  { name: 'account_id', type: 'string' },
  { name: 'model_requested', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'provider', type: 'string' },
  { name: 'endpoint', type: 'string' },
  { name: 'streamed', type: 'boolean' },
  { name: 'status', type: 'int' },
  { name: 'error_code', type: 'string' },
  { name: 'error_message', type: 'string', comment: "a 5xx's message as the client saw it; null otherwise" },
  { name: 'finish_reason', type: 'string' },
  { name: 'native_finish_reason', type: 'string' },
  { name: 'prompt_tokens', type: 'bigint' },
  { name: 'completion_tokens', type: 'bigint' },
  { name: 'cached_tokens', type: 'bigint' },
  { name: 'cache_write_tokens', type: 'bigint' },
  { name: 'reasoning_tokens', type: 'bigint' },
  { name: 'cost_micros', type: 'bigint', comment: 'charged, in integer micro-dollars' },
  { name: 'ttfb_ms', type: 'bigint' },
  { name: 'latency_ms', type: 'bigint' },
  { name: 'attempts', type: attemptType },
  { name: 'fallback', type: 'boolean' },
  { name: 'cancelled', type: 'boolean' },
  { name: 'session_id', type: 'string' },
  { name: 'user', type: 'string' },
];
