// A Lambda Runtime API on loopback, and the real Node.js runtime interface
// client (npm `aws-lambda-ric`, the code Lambda's managed Node.js runtime
// runs) in a child process against it: a bundle runs here as it runs on
// Lambda, through the same native client, event loop and response streams.
//
// The API is the one documented for custom runtimes
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//
// - `GET  /2018-06-01/runtime/invocation/next`: long-polled; answers with the
//   event and its `Lambda-Runtime-*` headers once an invocation is queued.
// - `POST /2018-06-01/runtime/invocation/{id}/response`: the result. Buffered
//   mode sends the handler's return value as JSON; streaming mode
//   (`Lambda-Runtime-Function-Response-Mode: streaming`) sends a chunked upload
//   whose content type is the Function URL HTTP-integration type when the
//   handler wrote a prelude, and whose error trailers report a failure after
//   the first byte.
// - `POST /2018-06-01/runtime/invocation/{id}/error`: a buffered handler's failure.
// - `POST /2018-06-01/runtime/init/error`: the function failed to start.
//
// An invocation is over when the runtime asks for the next one, not when its
// response has arrived: the code that runs after a handler's response stream
// ends (here: settlement, usage records) still belongs to it, and on Lambda
// the environment is frozen only at that next request. `invoke` resolves then.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { functionUrlResponse, type StreamedInvocation } from './lambda-runtime.ts';

const PREFIX = '/2018-06-01/runtime';
const FUNCTION_NAME = 'switchyard-test-function';

export interface RuntimeError {
  type: string;
  body: unknown;
}

/** What the function sent back for one invocation. */
export interface RuntimeInvocation {
  requestId: string;
  /** `response`: it answered (streamed or buffered); `error`: it failed and said so. */
  outcome: 'response' | 'error';
  streaming: boolean;
  headers: IncomingHttpHeaders;
  /** The uploaded bytes, as they arrived. */
  raw: Buffer;
  /** A streamed response, read as a Function URL reads it (prelude, 8 NUL bytes, body; error trailers). */
  functionUrl: StreamedInvocation | undefined;
  /** A buffered response's JSON value. */
  payload: unknown;
  /** The error a buffered handler posted. */
  error: RuntimeError | undefined;
}

export interface InvokeOptions {
  /** The function timeout, as the deadline header tells it. Default 30 s. */
  timeoutMs?: number;
}

export interface LambdaRuntimeApi {
  /** `host:port`, for `AWS_LAMBDA_RUNTIME_API`. */
  readonly address: string;
  /** Queue an invocation; resolves once the function has answered it and the runtime has asked for the next one. */
  invoke(event: unknown, options?: InvokeOptions): Promise<RuntimeInvocation>;
  /** Every `/runtime/init/error` posted so far. */
  readonly initErrors: RuntimeError[];
  /** How many times the client has asked for the next invocation. */
  readonly nextRequests: number;
  close(): Promise<void>;
}

interface Pending {
  requestId: string;
  event: unknown;
  deadlineMs: number;
  resolve: (invocation: RuntimeInvocation) => void;
  reject: (error: Error) => void;
}

export async function startLambdaRuntimeApi(): Promise<LambdaRuntimeApi> {
  const queue: Pending[] = [];
  const waiting: ServerResponse[] = [];
  const inFlight = new Map<string, Pending>();
  /** Answered, waiting for the runtime to ask for more (the end of the invocation). */
  let answered: Array<() => void> = [];
  const initErrors: RuntimeError[] = [];
  let invocations = 0;
  let nextRequests = 0;

  const dispatch = (): void => {
    while (queue.length > 0 && waiting.length > 0) {
      const pending = queue.shift() as Pending;
      const res = waiting.shift() as ServerResponse;
      if (res.destroyed) {
        queue.unshift(pending);
        continue;
      }
      inFlight.set(pending.requestId, pending);
      const body = JSON.stringify(pending.event);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'lambda-runtime-aws-request-id': pending.requestId,
        'lambda-runtime-deadline-ms': String(pending.deadlineMs),
        'lambda-runtime-invoked-function-arn': `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`,
        'lambda-runtime-trace-id': `Root=1-65a1b2c3-${pending.requestId.slice(-24).replace(/-/g, '0')};Parent=0123456789abcdef;Sampled=0`,
      });
      res.end(body);
    }
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      nextRequests += 1;
      const finished = answered;
      answered = [];
      for (const finish of finished) finish();
      waiting.push(res);
      dispatch();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const accepted = (): void => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"OK"}');
      };
      if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
        initErrors.push(runtimeError(req.headers, raw));
        accepted();
        return;
      }
      const found = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      const pending = found === null ? undefined : inFlight.get(decodeURIComponent(found[1] ?? ''));
      if (req.method !== 'POST' || found === null || pending === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"errorMessage":"unknown request id or route","errorType":"InvalidRequestID"}');
        return;
      }
      inFlight.delete(pending.requestId);
      accepted();
      const streaming = req.headers['lambda-runtime-function-response-mode'] === 'streaming';
      const base = { requestId: pending.requestId, streaming, headers: req.headers, raw };
      let invocation: RuntimeInvocation;
      if (found[2] === 'error') {
        invocation = { ...base, outcome: 'error', functionUrl: undefined, payload: undefined, error: runtimeError(req.headers, raw) };
      } else {
        const functionUrl = streaming ? functionUrlResponse({ headers: req.headers, chunks, trailers: req.trailers }, true, false) : undefined;
        invocation = { ...base, outcome: 'response', functionUrl, payload: streaming ? undefined : parseJson(raw), error: functionUrl?.error };
      }
      answered.push(() => pending.resolve(invocation));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    initErrors,
    get nextRequests() {
      return nextRequests;
    },
    invoke(event, options = {}) {
      invocations += 1;
      const requestId = `7f1c0e2a-0000-4000-8000-${String(invocations).padStart(12, '0')}`;
      return new Promise<RuntimeInvocation>((resolve, reject) => {
        queue.push({ requestId, event, deadlineMs: Date.now() + (options.timeoutMs ?? 30_000), resolve, reject });
        dispatch();
      });
    },
    async close() {
      for (const pending of [...queue, ...inFlight.values()]) pending.reject(new Error('the Runtime API closed'));
      for (const res of waiting) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The native client puts the error's type in its JSON body; the HTTP client (and the init error) also in a header. */
function runtimeError(headers: IncomingHttpHeaders, raw: Buffer): RuntimeError {
  const body = parseJson(raw);
  const fromBody = typeof body === 'object' && body !== null ? (body as { errorType?: unknown }).errorType : undefined;
  return { type: String(headers['lambda-runtime-function-error-type'] ?? fromBody ?? ''), body };
}

function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Where `aws-lambda-ric` is installed with its native Runtime API client, or
 * undefined. It is an optional dependency: its install builds curl and
 * aws-lambda-cpp from source, which needs cmake and a C/C++ compiler, so on a
 * machine without them `npm ci` drops it; npm also skips it when the Node
 * running npm is older than its `engines` (22); and on macOS it installs
 * without the native part, which does not build there. .ci/run sees to all.
 */
export const runtimeClientEntry: string | undefined = findRuntimeClient();

export const NO_RUNTIME_CLIENT_MESSAGE =
  'aws-lambda-ric is not installed with its native client (rapid-client.node): it is an optional dependency whose install needs cmake, make and a C/C++ compiler on Linux (apt-get install cmake g++ make python3, then npm ci run by Node 22 or later, such as PATH=$PWD/node_modules/node/bin:$PATH npm ci; .ci/run does this), and it does not build on macOS';

function findRuntimeClient(): string | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('aws-lambda-ric');
  } catch {
    return undefined;
  }
  return existsSync(path.join(path.dirname(entry), 'rapid-client.node')) ? entry : undefined;
}

export interface RuntimeClientOptions {
  runtimeApi: LambdaRuntimeApi;
  /** The unpacked deployment package: the bundle folder. */
  taskRoot: string;
  /** `index.handler`, as infra/ configures it. */
  handler: string;
  /** The function's own environment (what infra/ sets, plus endpoints for the loopback services). */
  environment: Record<string, string>;
  memoryMb?: number;
}

export interface RuntimeClient {
  /** Everything the function and the runtime wrote to stdout and stderr, line by line. */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** Send the runtime's process a signal (SIGTERM: Lambda shutting the environment down). */
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/**
 * Starts `aws-lambda-ric` as Lambda's Node.js runtime starts it: a process in
 * the task root with the reserved variables set. Nothing of this process's
 * environment leaks in but PATH (no AWS profile, no proxy).
 */
export function startRuntimeClient(options: RuntimeClientOptions): RuntimeClient {
  if (runtimeClientEntry === undefined) throw new Error(NO_RUNTIME_CLIENT_MESSAGE);
  const entry = runtimeClientEntry;
  const logStream = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: options.taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_LAMBDA_RUNTIME_API: options.runtimeApi.address,
      LAMBDA_TASK_ROOT: options.taskRoot,
      LAMBDA_RUNTIME_DIR: options.taskRoot,
      _HANDLER: options.handler,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 1024),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      NODE_PATH: '/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules',
      ...options.environment,
    },
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    stream?.on('end', () => {
      if (partial !== '') lines.push(partial);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines,
    exited,
    signal: (name) => {
      child.kill(name);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
