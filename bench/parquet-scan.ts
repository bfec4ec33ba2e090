// `node bench/parquet-scan.ts`: what an Athena query over the usage table
// scans per million records, Parquet against the gzipped JSON it replaced
// (issue 22 point 7). It generates 1,000,000 realistic usage records (a
// seeded mix of models, keys, fallbacks, failures, sessions over 30 days),
// writes them as Firehose would — JSON lines gzipped in 5 MiB buffers (the
// stream's setting before Parquet), and Parquet objects of 64 MiB of JSON
// input each, with the Glue table's schema and Snappy (cli/usage-parquet.ts,
// as local mode writes them) — and reads DuckDB's `parquet_metadata` for the
// compressed size of every column chunk. Athena bills the bytes it reads
// from S3: all of every object for JSON, only the chunks of the columns a
// query names for Parquet. Writes bench/results/parquet-scan.json, which
// bench/report.ts renders into BENCHMARKS.md (`npm run bench -- --report …`
// re-renders without rerunning the grid). About a minute on two cores.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeUsageParquet } from '../cli/usage-parquet.ts';
import { seededRandom } from '../lib/providers/simulator/deterministic.ts';
import { USAGE_QUERIES } from '../infra/queries.ts';
import { ATTEMPT_FIELDS, USAGE_COLUMNS } from '../infra/usage-layout.ts';
import type { UsageAttempt, UsageRecord } from '../lib/usage/record.ts';
import { queryColumns, PARQUET_RESULTS_FILE, type ParquetScanResults } from './parquet-report.ts';

const RECORDS = 1_000_000;
/** Firehose's buffer with record-format conversion (infra/constructs/usage-delivery.ts): the JSON input of one Parquet object. */
const PARQUET_OBJECT_INPUT_BYTES = 64 * 1024 * 1024;
/** The buffer before Parquet: each gzipped JSON object held this much JSON. */
const JSON_OBJECT_INPUT_BYTES = 5 * 1024 * 1024;
const DAYS = 30;
const START_MS = Date.parse('2026-11-01T00:00:00Z');

// Seeded, so every run measures the same records.
const random = seededRandom(22);
const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let roll = random() * total;
  for (let index = 0; index < items.length; index += 1) {
    roll -= weights[index] ?? 0;
    if (roll < 0) return items[index] as T;
  }
  return items[items.length - 1] as T;
};
const logNormal = (median: number, spread: number): number => Math.round(median * Math.exp(spread * gaussian()));
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
const hex = (length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alphanumeric = (length: number): string => Array.from({ length }, () => ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)]).join('');

interface Model {
  id: string;
  endpoints: Array<{ tag: string; provider: string; upstream: string }>;
  /** µ$ per million tokens: prompt, completion. */
  prices: [number, number];
  reasoning: boolean;
}
const MODELS: readonly Model[] = [
  { id: 'openai/gpt-4o-mini', endpoints: [{ tag: 'openai', provider: 'OpenAI', upstream: 'gpt-4o-mini' }, { tag: 'azure', provider: 'Azure', upstream: 'gpt-4o-mini' }], prices: [150_000, 600_000], reasoning: false },
  { id: 'openai/gpt-4.1', endpoints: [{ tag: 'openai', provider: 'OpenAI', upstream: 'gpt-4.1' }], prices: [2_000_000, 8_000_000], reasoning: false },
  { id: 'openai/o4-mini', endpoints: [{ tag: 'openai', provider: 'OpenAI', upstream: 'o4-mini' }], prices: [1_100_000, 4_400_000], reasoning: true },
  { id: 'anthropic/claude-sonnet-4.5', endpoints: [{ tag: 'anthropic', provider: 'Anthropic', upstream: 'claude-sonnet-4-5' }, { tag: 'bedrock', provider: 'Amazon Bedrock', upstream: 'anthropic.claude-sonnet-4-5-v1:0' }], prices: [3_000_000, 15_000_000], reasoning: true },
  { id: 'anthropic/claude-haiku-4.5', endpoints: [{ tag: 'anthropic', provider: 'Anthropic', upstream: 'claude-haiku-4-5' }, { tag: 'bedrock', provider: 'Amazon Bedrock', upstream: 'anthropic.claude-haiku-4-5-v1:0' }], prices: [1_000_000, 5_000_000], reasoning: false },
  { id: 'google/gemini-2.5-flash', endpoints: [{ tag: 'google', provider: 'Google', upstream: 'gemini-2.5-flash' }], prices: [300_000, 2_500_000], reasoning: true },
  { id: 'google/gemini-2.5-pro', endpoints: [{ tag: 'google', provider: 'Google', upstream: 'gemini-2.5-pro' }], prices: [1_250_000, 10_000_000], reasoning: true },
  { id: 'meta-llama/llama-3.3-70b-instruct', endpoints: [{ tag: 'together', provider: 'Together', upstream: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }, { tag: 'groq', provider: 'Groq', upstream: 'llama-3.3-70b-versatile' }], prices: [600_000, 600_000], reasoning: false },
  { id: 'mistralai/mistral-small', endpoints: [{ tag: 'mistral', provider: 'Mistral', upstream: 'mistral-small-latest' }], prices: [100_000, 300_000], reasoning: false },
  { id: 'deepseek/deepseek-chat', endpoints: [{ tag: 'deepseek', provider: 'DeepSeek', upstream: 'deepseek-chat' }], prices: [270_000, 1_100_000], reasoning: false },
];
const MODEL_WEIGHTS = [30, 8, 6, 14, 12, 10, 4, 7, 5, 4];
const ACCOUNTS = ['default', 'team-search', 'team-support'];
const KEYS = Array.from({ length: 40 }, (_, index) => ({ prefix: hex(16), account: ACCOUNTS[index % ACCOUNTS.length] as string }));
const KEY_WEIGHTS = KEYS.map((_, index) => 1 / (index + 1));
const FAILURES: ReadonlyArray<{ status: number; code: string }> = [
  { status: 429, code: 'rate_limited' },
  { status: 500, code: 'provider_unavailable' },
  { status: 502, code: 'upstream_error' },
  { status: 503, code: 'provider_overloaded' },
  { status: 408, code: 'timeout' },
];

function usageRecord(index: number): UsageRecord {
  const createdMs = START_MS + Math.floor((index / RECORDS) * DAYS * 86_400_000) + Math.floor(random() * 1000);
  const model = pick(MODELS, MODEL_WEIGHTS);
  const key = pick(KEYS, KEY_WEIGHTS);
  const streamed = random() < 0.7;
  const failedAttempts = random() < 0.05 ? (random() < 0.2 ? 2 : 1) : 0;
  const finalFailure = random() < 0.015 ? pick(FAILURES, [5, 2, 2, 2, 1]) : undefined;
  const attempts: UsageAttempt[] = [];
  for (let attempt = 0; attempt <= failedAttempts; attempt += 1) {
    const endpoint = model.endpoints[attempt % model.endpoints.length] ?? model.endpoints[0];
    const failure = attempt < failedAttempts ? pick(FAILURES, [5, 2, 2, 2, 1]) : finalFailure;
    attempts.push({
      endpoint: `${model.id}@${endpoint?.tag ?? ''}`,
      provider: endpoint?.provider ?? '',
      model: endpoint?.upstream ?? '',
      status: failure?.status ?? 200,
      error_code: failure?.code ?? null,
      latency_ms: failure === undefined ? logNormal(3_000, 0.9) : logNormal(400, 0.8),
    });
  }
  const served = finalFailure === undefined ? attempts[attempts.length - 1] : undefined;
  const promptTokens = Math.min(200_000, logNormal(1_800, 1.2));
  const completionTokens = served === undefined ? 0 : Math.min(16_000, logNormal(350, 1));
  const reasoningTokens = served !== undefined && model.reasoning && random() < 0.5 ? logNormal(600, 0.8) : 0;
  const cachedTokens = random() < 0.3 ? Math.floor(promptTokens * random() * 0.8) : 0;
  const costMicros =
    served === undefined ? 0 : Math.ceil(((promptTokens - cachedTokens) * model.prices[0] + cachedTokens * model.prices[0] * 0.1 + (completionTokens + reasoningTokens) * model.prices[1]) / 1_000_000);
  const latency = attempts.reduce((sum, attempt) => sum + attempt.latency_ms, 0);
  return {
    // As lib/pipeline/deps.ts makes them (OpenRouter's shape).
    id: `gen-${Math.floor(createdMs / 1000)}-${alphanumeric(20)}`,
    created_at: new Date(createdMs).toISOString(),
    key_hash_prefix: key.prefix,
    account_id: key.account,
    model_requested: model.id,
    model: served === undefined ? null : model.id,
    provider: served?.provider ?? null,
    endpoint: served?.endpoint ?? null,
    streamed,
    status: finalFailure?.status ?? (random() < 0.004 ? 499 : 200),
    error_code: finalFailure?.code ?? null,
    error_message: finalFailure !== undefined && finalFailure.status >= 500 ? `Provider returned error (${model.endpoints[0]?.provider ?? 'upstream'})` : null,
    finish_reason: served === undefined ? null : pick(['stop', 'length', 'tool_calls'], [85, 5, 10]),
    native_finish_reason: served === undefined ? null : pick(['stop', 'end_turn', 'max_tokens', 'tool_use', 'STOP'], [40, 30, 5, 10, 15]),
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    cached_tokens: cachedTokens,
    cache_write_tokens: model.id.startsWith('anthropic/') && random() < 0.2 ? logNormal(1_000, 0.8) : 0,
    reasoning_tokens: reasoningTokens,
    cost_micros: costMicros,
    ttfb_ms: served === undefined ? null : Math.min(latency, logNormal(600, 0.7)),
    latency_ms: latency,
    attempts,
    fallback: served !== undefined && attempts.length > 1,
    cancelled: false,
    session_id: random() < 0.3 ? `sess-${hex(16)}` : null,
    user: random() < 0.2 ? `user-${Math.floor(random() * 500)}` : null,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(path.join(os.tmpdir(), 'switchyard-parquet-scan-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let jsonBytes = 0;
  let gzipJsonBytes = 0;
  let jsonObjects = 0;
  const parquetFiles: string[] = [];
  try {
    let index = 0;
    while (index < RECORDS) {
      // One Parquet object's worth of JSON input, gzipped as the 5 MiB objects it used to be.
      const lines: string[] = [];
      let objectBytes = 0;
      let pieceLines: string[] = [];
      let pieceBytes = 0;
      const flushPiece = (): void => {
        if (pieceLines.length === 0) return;
        gzipJsonBytes += gzipSync(pieceLines.join('')).length;
        jsonObjects += 1;
        pieceLines = [];
        pieceBytes = 0;
      };
      while (index < RECORDS && objectBytes < PARQUET_OBJECT_INPUT_BYTES) {
        const line = `${JSON.stringify(usageRecord(index))}\n`;
        index += 1;
        const bytes = Buffer.byteLength(line);
        lines.push(line);
        objectBytes += bytes;
        pieceLines.push(line);
        pieceBytes += bytes;
        if (pieceBytes >= JSON_OBJECT_INPUT_BYTES) flushPiece();
      }
      flushPiece();
      jsonBytes += objectBytes;
      const jsonFile = path.join(work, `object-${parquetFiles.length}.jsonl`);
      await writeFile(jsonFile, lines.join(''));
      const parquetFile = path.join(work, `object-${parquetFiles.length}.parquet`);
      await writeUsageParquet(connection, [jsonFile], parquetFile);
      await rm(jsonFile);
      parquetFiles.push(parquetFile);
      console.error(`${index.toLocaleString('en')} records written`);
    }
    const files = `[${parquetFiles.map((file) => `'${file}'`).join(', ')}]`;
    const chunks = (
      await connection.runAndReadAll(`SELECT path_in_schema AS path, sum(total_compressed_size) AS bytes, any_value(compression) AS codec FROM parquet_metadata(${files}) GROUP BY path_in_schema`)
    ).getRowObjectsJson();
    const codecs = new Set(chunks.map((chunk) => String(chunk.codec)));
    const columnBytes: Record<string, number> = {};
    for (const chunk of chunks) {
      // `attempts, list, element, provider` → `attempts.provider`; a scalar column is its own name.
      const parts = String(chunk.path).split(/,\s*/).filter((part) => part !== 'list' && part !== 'element' && part !== 'bag' && part !== 'array_element');
      columnBytes[parts.join('.')] = Number(chunk.bytes);
    }
    let parquetBytes = 0;
    for (const file of parquetFiles) parquetBytes += (await stat(file)).size;
    const rowGroups = Number(
      (await connection.runAndReadAll(`SELECT count(DISTINCT (file_name, row_group_id)) AS groups FROM parquet_metadata(${files})`)).getRowObjectsJson()[0]?.groups,
    );
    const perMillion = (bytes: number): number => Math.round((bytes * 1_000_000) / RECORDS);
    const results: ParquetScanResults = {
      date: new Date(started).toISOString(),
      commit: execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim(),
      records: RECORDS,
      seconds: Math.round((Date.now() - started) / 1000),
      duckdb: String((await connection.runAndReadAll('SELECT version() AS version')).getRowObjectsJson()[0]?.version),
      codecs: [...codecs],
      json: { bytesPerMillion: perMillion(jsonBytes), gzipBytesPerMillion: perMillion(gzipJsonBytes), objects: jsonObjects },
      parquet: { bytesPerMillion: perMillion(parquetBytes), objects: parquetFiles.length, rowGroups },
      columnBytesPerMillion: Object.fromEntries(Object.entries(columnBytes).map(([column, bytes]) => [column, perMillion(bytes)])),
      queries: USAGE_QUERIES.map((query) => {
        const columns = queryColumns(query.sql, USAGE_COLUMNS.map((column) => column.name), ATTEMPT_FIELDS.map((field) => field.name));
        const bytes = columns.reduce((sum, column) => sum + (columnBytes[column] ?? 0), 0);
        return { name: query.name, columns, parquetBytesPerMillion: perMillion(bytes) };
      }),
    };
    const missing = results.queries.flatMap((query) => query.columns.filter((column) => columnBytes[column] === undefined));
    if (missing.length > 0) throw new Error(`no column chunks for ${missing.join(', ')}`);
    const target = path.join(import.meta.dirname, 'results', PARQUET_RESULTS_FILE);
    await writeFile(target, `${JSON.stringify(results, null, 2)}\n`);
    console.error(`wrote ${path.relative(process.cwd(), target)} in ${results.seconds} s`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
