// The Lambda bundle: its size, and the time from process start to the first
// response served. The bundle is built with `npm run build`'s script; each run
// spawns a fresh process that imports it under a stand-in Lambda runtime
// (processes/lambda-runtime-stand-in.mjs) with its environment pointing at a
// dynalite table (created and seeded here) and the harness's mock upstream, and
// invokes it once with a Function URL event. Spawn → first body byte is
// measured here, in the parent, and nothing is subtracted.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { startLocalDynamo } from '../cli/local-dynamo.ts';
import { seedLocalKeys } from '../cli/local-seed.ts';
import type { Table } from '../lib/store/dynamo.ts';
import { minimalEnvironment, query, repositoryRoot, type StartedProcess } from './child-process.ts';
import { median } from './statistics.ts';
import { INSTANT_PROVIDER, requestBody, SWITCHYARD_INSTANT_MODEL, switchyardCatalog } from './workload.ts';

export interface BundleSize {
  /** The deployed folder: index.mjs and the chunks it may load. */
  file: string;
  /** Every file of the folder, chunks loaded later included. */
  bytes: number;
  gzipBytes: number;
  /** What a cold start reads and compiles: index.mjs and the chunks it imports statically. */
  loadedAtStartBytes: number;
  buildMs: number;
}

export interface ColdStartRun {
  /** Parent clock: spawn() → the `first-byte` message. */
  spawnToFirstByteMs: number;
  /** The child's own clock (from process start): Node booted and ran the stand-in. */
  bootMs: number;
  /** The child's own clock: the bundle's import (module init: clients, catalog, middy). */
  importMs: number;
  /** The child's own clock: handler called → first body byte of the first invocation. */
  firstInvocationMs: number;
  /** The same for a second invocation in the same process: the warm path. */
  warmInvocationMs: number;
  status: number | undefined;
}

/** The warm path's first byte in parts (medians over invocations in one warm process), ms. */
export interface WarmPath {
  invocations: number;
  /** Handler called → first body byte. */
  totalMs: number;
  /** The same upstream asked directly from the same process: request → first byte. */
  directMs: number;
  /** totalMs − directMs: what the gateway adds to a warm invocation's first byte. */
  addedMs: number;
  /** Handler called → the upstream has the request (event → request, key, plan, hold, upstream request built and sent). */
  beforeUpstreamMs: number;
  /** The upstream's own time: request in → its first byte out. */
  upstreamMs: number;
  /** Upstream's first byte → the client's first byte (read, decode, encode, write). */
  afterUpstreamMs: number;
}

export interface ColdStartResult {
  bundle: BundleSize;
  runs: ColdStartRun[];
  medianMs: number;
  maxMs: number;
  warmPath?: WarmPath;
}

export async function buildBundle(): Promise<BundleSize> {
  const started = performance.now();
  const build = spawn(process.execPath, ['scripts/build.ts'], { cwd: repositoryRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  build.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  const [code] = (await once(build, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run build failed: ${errors.slice(-2000)}`);
  const folder = path.join(repositoryRoot, 'dist', 'gateway');
  const files = (await readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    bytes += (await stat(file)).size;
    gzipBytes += gzipSync(await readFile(file)).length;
  }
  return { file: 'dist/gateway/', bytes, gzipBytes, loadedAtStartBytes: await loadedAtStart(), buildMs: performance.now() - started };
}

const buildMetafile = z.object({
  outputs: z.record(z.string(), z.object({ bytes: z.number(), imports: z.array(z.object({ path: z.string(), kind: z.string() })) })),
});

/** The bytes of index.mjs and of every chunk it imports statically (transitively), from the build's metafile. */
async function loadedAtStart(): Promise<number> {
  const { outputs } = buildMetafile.parse(JSON.parse(await readFile(path.join(repositoryRoot, 'dist', 'gateway.meta.json'), 'utf8')));
  const seen = new Set<string>();
  const pending = ['dist/gateway/index.mjs'];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const output = outputs[next];
    if (output === undefined || seen.has(next)) continue;
    seen.add(next);
    for (const imported of output.imports) if (imported.kind === 'import-statement') pending.push(imported.path);
  }
  return [...seen].reduce((sum, file) => sum + (outputs[file]?.bytes ?? 0), 0);
}

/** What the bundle's process sees: a seeded dynalite table, a Firehose stand-in, the mock upstream; all on loopback. */
export interface LambdaEnvironment {
  /** The function's environment, without the bench's own variables. */
  env: Record<string, string>;
  apiKey: string;
  /** The table as the harness reaches it (dynalite directly), and the seeded key's account. */
  table: Table;
  accountId: string;
  close(): Promise<void>;
}

export interface LambdaEnvironmentOptions {
  /** The function's catalog; the bench's own by default. */
  catalog?: unknown;
  /** The seeded account's balance, µ$ (default $1,000,000). */
  seedCreditsMicros?: number;
  /** Where the function reaches DynamoDB, given dynalite's endpoint (a counting proxy in front of it); dynalite itself by default. */
  dynamoEndpoint?: (dynalite: string) => Promise<string>;
  /** Where it reaches Firehose and Secrets Manager; a stand-in that accepts everything by default. */
  awsUrl?: string;
}

export async function startLambdaEnvironment(upstreamUrl: string, options: LambdaEnvironmentOptions = {}): Promise<LambdaEnvironment> {
  const dynamo = await startLocalDynamo(undefined);
  const firehose = options.awsUrl === undefined ? await startFirehoseStub() : undefined;
  const table = { client: dynamo.client, name: dynamo.tableName };
  const keys = await seedLocalKeys({ table, dataDir: undefined, env: {}, seedCreditsMicros: options.seedCreditsMicros ?? 1_000_000_000_000 });
  const firehoseUrl = options.awsUrl ?? `http://127.0.0.1:${((firehose as Server).address() as AddressInfo).port}`;
  const dynamoEndpoint = options.dynamoEndpoint === undefined ? dynamo.endpoint : await options.dynamoEndpoint(dynamo.endpoint);
  const env = minimalEnvironment({
    SWITCHYARD_TABLE_NAME: dynamo.tableName,
    SWITCHYARD_PROVIDER_SECRET_ID: 'switchyard/bench/providers',
    SWITCHYARD_USAGE_STREAM_NAME: 'switchyard-bench-usage',
    SWITCHYARD_CATALOG_JSON: JSON.stringify(options.catalog ?? switchyardCatalog(upstreamUrl)),
    // What the Lambda runtime sets, with every AWS endpoint on loopback.
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_FIREHOSE: firehoseUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: firehoseUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'switchyard-gateway',
    // An on-demand cold start: an invocation is waiting for the start-up to finish.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    NODE_ENV: 'production',
    SWITCHYARD_BENCH_BUNDLE: pathToFileURL(path.join(repositoryRoot, 'dist', 'gateway', 'index.mjs')).href,
  });
  return {
    env,
    apiKey: keys.apiKey,
    table,
    accountId: keys.accountId,
    async close() {
      if (firehose !== undefined) await new Promise<void>((resolve) => firehose.close(() => resolve()));
      await dynamo.close();
    },
  };
}

export interface ColdStartOptions {
  environment: LambdaEnvironment;
  runs: number;
  bundle: BundleSize;
  /** Warm invocations timed in parts by the last run. */
  warmRuns: number;
  /** The mock upstream: its URL for the direct floor, and its process for its side of the timings. */
  upstream: { url: string; process: StartedProcess };
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const env = {
    ...options.environment.env,
    SWITCHYARD_BENCH_EVENT: JSON.stringify(functionUrlEvent(options.environment.apiKey)),
    SWITCHYARD_BENCH_DIRECT_URL: `${options.upstream.url}/${INSTANT_PROVIDER.id}/chat/completions`,
    SWITCHYARD_BENCH_DIRECT_BODY: requestBody(INSTANT_PROVIDER.upstreamModel, { stream: true, maxTokens: 16 }),
  };
  const runs: ColdStartRun[] = [];
  let warmPath: WarmPath | undefined;
  for (let run = 0; run < options.runs; run++) {
    const last = run === options.runs - 1;
    await query<{ type: 'timings' }>(options.upstream.process, 'timings');
    const { coldRun, done } = await oneColdStart({ ...env, SWITCHYARD_BENCH_WARM_RUNS: String(last ? options.warmRuns : 0) });
    runs.push(coldRun);
    if (last && done.warmRuns.length > 0) {
      const { timings } = await query<{ type: 'timings'; timings: UpstreamTiming[] }>(options.upstream.process, 'timings');
      warmPath = warmPathOf(done, timings.filter((timing) => timing.provider === INSTANT_PROVIDER.id));
    }
  }
  const times = runs.map((run) => run.spawnToFirstByteMs);
  return { bundle: options.bundle, runs, medianMs: median(times), maxMs: Math.max(...times), ...(warmPath === undefined ? {} : { warmPath }) };
}

interface UpstreamTiming {
  provider: string;
  receivedAt: number;
  firstByteAt: number;
}

/**
 * The upstream saw, in order: the cold and the first warm invocation's
 * requests, then per timed run the invocation's and the direct request's.
 */
function warmPathOf(done: DoneMessage, timings: UpstreamTiming[]): WarmPath {
  const invocations = done.warmRuns.length;
  const upstreamSide = timings.slice(2).filter((_, index) => index % 2 === 0);
  const parts = done.warmRuns.map((run, index) => {
    const upstream = upstreamSide[index];
    return {
      total: run.firstByteAt - run.startedAt,
      before: upstream === undefined ? Number.NaN : upstream.receivedAt - run.startedAt,
      upstream: upstream === undefined ? Number.NaN : upstream.firstByteAt - upstream.receivedAt,
      after: upstream === undefined ? Number.NaN : run.firstByteAt - upstream.firstByteAt,
    };
  });
  const totalMs = median(parts.map((part) => part.total));
  const directMs = median(done.directRuns);
  return {
    invocations,
    totalMs,
    directMs,
    addedMs: totalMs - directMs,
    beforeUpstreamMs: median(parts.map((part) => part.before)),
    upstreamMs: median(parts.map((part) => part.upstream)),
    afterUpstreamMs: median(parts.map((part) => part.after)),
  };
}

interface DoneMessage {
  type: 'done';
  bootedAt: number;
  importStartedAt: number;
  importedAt: number;
  cold: { firstByteAt?: number; startedAt: number; status?: number; tail: string };
  warm: { firstByteAt?: number; startedAt: number };
  /** Absolute clock (ms), as the mock upstream stamps its side. */
  warmRuns: { startedAt: number; firstByteAt: number }[];
  /** Direct request → first byte, ms. */
  directRuns: number[];
}

async function oneColdStart(env: Record<string, string>): Promise<{ coldRun: ColdStartRun; done: DoneMessage }> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'bench', 'processes', 'lambda-runtime-stand-in.mjs')], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
  let firstByteAt: number | undefined;
  const done = new Promise<DoneMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Lambda stand-in took longer than 60 s: ${stderr}`));
    }, 60_000);
    child.on('message', (message: { type?: string; label?: string }) => {
      if (message.type === 'first-byte' && message.label === 'cold') firstByteAt ??= performance.now();
      if (message.type === 'done') {
        clearTimeout(timer);
        resolve(message as DoneMessage);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Lambda stand-in exited (code ${String(code)}) before it answered: ${stderr}`));
    });
  });
  const message = await done;
  if (child.exitCode === null) await once(child, 'exit');
  if (firstByteAt === undefined || message.cold.firstByteAt === undefined) throw new Error(`the Lambda stand-in sent no body: ${stderr}`);
  if (message.cold.status !== 200) throw new Error(`the Lambda stand-in answered ${String(message.cold.status)}: ${message.cold.tail.slice(0, 120)}`);
  const coldRun: ColdStartRun = {
    spawnToFirstByteMs: firstByteAt - spawnedAt,
    bootMs: message.bootedAt,
    importMs: message.importedAt - message.importStartedAt,
    firstInvocationMs: message.cold.firstByteAt - message.cold.startedAt,
    warmInvocationMs: (message.warm.firstByteAt ?? Number.NaN) - message.warm.startedAt,
    status: message.cold.status,
  };
  return { coldRun, done: message };
}

/** A Function URL event (payload format 2.0) for a chat completion: by default the cold-start probe's short stream. */
export function functionUrlEvent(apiKey: string, body = requestBody(SWITCHYARD_INSTANT_MODEL, { stream: true, maxTokens: 16 })): Record<string, unknown> {
  const domainName = 'bench0000000000000000000000000000.lambda-url.us-east-1.on.aws';
  const now = new Date();
  const rawPath = '/api/v1/chat/completions';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', host: domainName, 'user-agent': 'switchyard-bench' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'bench0000000000000000000000000000',
      domainName,
      domainPrefix: 'bench0000000000000000000000000000',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'switchyard-bench' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** Answers Firehose's PutRecordBatch (and anything else) with success, on loopback. */
async function startFirehoseStub(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (text: string) => (body += text));
    request.on('end', () => {
      let records = 0;
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { Records?: unknown }).Records)) {
          records = (parsed as { Records: unknown[] }).Records.length;
        }
      } catch {
        records = 0;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedPutCount: 0, Encrypted: false, RequestResponses: Array.from({ length: records }, (_, index) => ({ RecordId: `bench-${index}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}
