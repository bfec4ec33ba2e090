// A stand-in for the Node.js Lambda runtime's response streaming, close to
// aws-lambda-nodejs-runtime-interface-client (src/utils/globals.ts,
// src/stream/http-response-stream.ts, src/stream/response-stream.ts,
// src/runtime/streaming-invoke-processor.ts):
//
// - `awslambda.streamifyResponse(handler)` only marks the handler (a symbol
//   the runtime reads) and returns it; the runtime then calls it with
//   (event, responseStream, context).
// - The response stream is a chunked HTTP POST to the Runtime API, handed to
//   the handler as a plain object of bound Writable methods (not a Stream
//   instance). Its `write` runs `_onBeforeFirstWrite` once, before the first
//   chunk; `setContentType` throws once anything was written.
// - `HttpResponseStream.from(stream, prelude)` sets the content type
//   `application/vnd.awslambda.http-integration-response` and installs a
//   first-write hook that writes `JSON.stringify(prelude)` then 8 NUL bytes.
//   Nothing reaches the client until the first `write()`.
// - The runtime awaits the handler's promise, then the end of the upload,
//   then checks `writableFinished`; a throw ends the stream with the
//   `Lambda-Runtime-Function-Error-*` trailers.
//
// Here the Runtime API is a loopback node:http server that records the raw
// bytes as they arrive; the Function URL's reading of them (prelude, NUL
// delimiter, body) is done by `functionUrlResponse`.
import { Agent, createServer, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

export const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
export const DELIMITER_LEN = 8;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const TRAILER_NAME_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const TRAILER_NAME_ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';

/** The members of the real runtime's response stream object. */
export interface ResponseStream {
  write(chunk: unknown, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean;
  end(...args: unknown[]): ResponseStream;
  cork(): void;
  uncork(): void;
  destroy(error?: Error): ResponseStream;
  on(event: string, listener: (...args: unknown[]) => void): ResponseStream;
  once(event: string, listener: (...args: unknown[]) => void): ResponseStream;
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  readonly writableFinished: boolean;
  readonly writableEnded: boolean;
  readonly writableNeedDrain: boolean;
  readonly writableHighWaterMark: number;
  readonly writable: boolean;
  destroyed: boolean;
}

export interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

type StreamingHandler = (event: unknown, responseStream: ResponseStream, context: LambdaContext) => unknown;

export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
}

/** What one invocation sent, read the way a Function URL reads it. */
export interface StreamedInvocation {
  /** Content type of the upload: the integration type once `HttpResponseStream.from` ran. */
  contentType: string;
  /** Every byte the handler's stream delivered, prelude included. */
  raw: Buffer;
  /** The byte chunks as they arrived, in order. */
  chunks: Buffer[];
  /** The parsed prelude, or undefined when none was written. */
  prelude: Prelude | undefined;
  /** The status the Function URL client sees. */
  status: number;
  /** Response headers from the prelude, names lowercased. */
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  text: string;
  /** Whether `end()` was called on the response stream. */
  ended: boolean;
  /** The `Lambda-Runtime-Function-Error-*` trailers, when the runtime failed the stream. */
  error: { type: string; body: unknown } | undefined;
  /** Whether the invocation ran into the function timeout. */
  timedOut: boolean;
}

export interface Upload {
  headers: IncomingHttpHeaders;
  chunks: Buffer[];
  trailers: Record<string, string | undefined>;
}

export interface LambdaRuntime {
  /** Invoke a handler as the runtime invokes a response-streaming one. */
  invoke(handler: unknown, event: unknown, options?: { timeoutMs?: number }): Promise<StreamedInvocation>;
  close(): Promise<void>;
}

const HttpResponseStream = {
  from(underlyingStream: ResponseStream, prelude: Prelude): ResponseStream {
    underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return underlyingStream;
  },
};

/** Installs `globalThis.awslambda` and a loopback Runtime API. */
export async function installLambdaRuntime(): Promise<LambdaRuntime> {
  const globals = globalThis as Record<string, unknown>;
  const previous = globals.awslambda;
  globals.awslambda = {
    ...(typeof previous === 'object' ? previous : {}),
    streamifyResponse(handler: Record<symbol, unknown>, options?: { highWaterMark?: number }) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = options.highWaterMark;
      return handler;
    },
    HttpResponseStream,
  };

  // Uploads fill in as bytes arrive, so a timed-out invocation still shows what it sent.
  const uploads = new Map<string, Upload & { done: () => void }>();
  const server = createServer((req, res) => {
    const requestId = /\/invocation\/([^/]+)\/response$/.exec(req.url ?? '')?.[1] ?? '';
    const upload = uploads.get(requestId);
    if (upload === undefined) {
      res.writeHead(400).end();
      return;
    }
    upload.headers = req.headers;
    req.on('data', (chunk: Buffer) => upload.chunks.push(chunk));
    req.on('end', () => {
      upload.trailers = req.trailers;
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"OK"}');
      upload.done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true });
  let invocations = 0;

  return {
    async invoke(handler, event, options = {}) {
      if (typeof handler !== 'function' || (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] !== STREAM_RESPONSE) {
        throw new Error('The handler is not wrapped in awslambda.streamifyResponse');
      }
      const requestId = `00000000-0000-4000-8000-${String(++invocations).padStart(12, '0')}`;
      let done = (): void => undefined;
      const uploaded = new Promise<'uploaded'>((resolve) => {
        done = () => resolve('uploaded');
      });
      const upload: Upload = { headers: {}, chunks: [], trailers: {} };
      uploads.set(requestId, Object.assign(upload, { done: () => done() }));
      const { stream, request } = createResponseStream(port, agent, requestId);
      const timeoutMs = options.timeoutMs ?? 30_000;
      const deadline = Date.now() + timeoutMs;
      const context: LambdaContext = {
        awsRequestId: requestId,
        functionName: 'switchyard-gateway',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:switchyard-gateway',
        memoryLimitInMB: '1024',
        logGroupName: '/aws/lambda/switchyard-gateway',
        logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      // The function timeout: the one way out of a handler that never ends its stream (RIC #95).
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      let failure: unknown;
      let outcome: 'uploaded' | 'timeout' = 'timeout';
      try {
        const result = (handler as StreamingHandler)(event, stream, context);
        if (!isPromise(result)) throw new Error('Streaming does not support non-async handlers.');
        // The runtime awaits the handler, then the end of the upload.
        outcome = await Promise.race([result.then(() => uploaded), timedOut]);
        if (outcome === 'uploaded' && !stream.writableFinished) throw new Error('Response stream is not finished.');
      } catch (error) {
        failure = error;
      }
      if (failure !== undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        request.addTrailers({
          [TRAILER_NAME_ERROR_TYPE]: failure instanceof Error ? failure.name : 'Error',
          [TRAILER_NAME_ERROR_BODY]: Buffer.from(JSON.stringify(formatError(failure))).toString('base64'),
        });
        request.end();
        outcome = await Promise.race([uploaded, timedOut]);
      }
      clearTimeout(timer);
      if (outcome === 'timeout') request.destroy();
      uploads.delete(requestId);
      return functionUrlResponse(upload, stream.writableEnded, outcome === 'timeout');
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (previous === undefined) delete globals.awslambda;
      else globals.awslambda = previous;
    },
  };
}

function createResponseStream(port: number, agent: Agent, requestId: string): { stream: ResponseStream; request: ClientRequest } {
  let status: 'ready' | 'write_called' = 'ready';
  const request = httpRequest({
    hostname: '127.0.0.1',
    port,
    method: 'POST',
    path: `/2018-06-01/runtime/invocation/${requestId}/response`,
    agent,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      Trailer: [TRAILER_NAME_ERROR_TYPE, TRAILER_NAME_ERROR_BODY],
      'Content-Type': DEFAULT_CONTENT_TYPE,
      'Transfer-Encoding': 'chunked',
    },
  });
  request.on('error', () => request.destroy());
  const inner = request as ClientRequest & { setContentType?: (type: string) => void; _onBeforeFirstWrite?: ResponseStream['_onBeforeFirstWrite'] };
  inner.setContentType = (contentType: string) => {
    if (status !== 'ready') throw new Error('Cannot set content-type, too late.');
    request.setHeader('Content-Type', contentType);
  };
  const originalWrite = request.write.bind(request) as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
  inner.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    // The runtime sends anything that is not text or bytes as JSON.
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (status === 'ready' && typeof inner._onBeforeFirstWrite === 'function') inner._onBeforeFirstWrite((part) => originalWrite(part));
    const accepted = originalWrite(data, encoding, callback);
    status = 'write_called';
    return accepted;
  }) as ClientRequest['write'];

  // The handler gets a plain object of bound methods and forwarded
  // properties, as the runtime's toWritableResponseStream builds it.
  const stream = {} as Record<string, unknown>;
  const methods = ['cork', 'destroy', 'end', 'uncork', 'write', 'addListener', 'on', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners', 'getMaxListeners', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'emit', 'setContentType'];
  const source = inner as unknown as Record<string, unknown>;
  for (const method of methods) stream[method] = (source[method] as (...args: unknown[]) => unknown).bind(inner);
  for (const property of ['destroyed', '_onBeforeFirstWrite']) {
    Object.defineProperty(stream, property, {
      get: () => source[property],
      set: (value: unknown) => {
        source[property] = value;
      },
    });
  }
  for (const property of ['writableFinished', 'writableObjectMode', 'writableEnded', 'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength', 'writable']) {
    Object.defineProperty(stream, property, { get: () => source[property] });
  }
  return { stream: stream as unknown as ResponseStream, request };
}

/**
 * How a Function URL turns the upload into an HTTP response: with the
 * integration content type, JSON prelude up to the 8 NUL bytes, then the
 * body. Without a delimiter the response is malformed: the client gets a
 * 502 (RIC #97: `end()` with no prior `write()` loses the prelude).
 */
export function functionUrlResponse(upload: Upload, ended: boolean, timedOut: boolean): StreamedInvocation {
  const chunks = upload.chunks;
  const raw = Buffer.concat(chunks);
  const contentType = String(upload.headers['content-type'] ?? DEFAULT_CONTENT_TYPE);
  const errorType = upload.trailers[TRAILER_NAME_ERROR_TYPE.toLowerCase()];
  const errorBody = upload.trailers[TRAILER_NAME_ERROR_BODY.toLowerCase()];
  const error = errorType === undefined ? undefined : { type: errorType, body: JSON.parse(Buffer.from(errorBody ?? '', 'base64').toString('utf8') || 'null') as unknown };
  const base = { contentType, raw, chunks, ended, error, timedOut };
  if (contentType !== METADATA_PRELUDE_CONTENT_TYPE) {
    return { ...base, prelude: undefined, status: 200, headers: { 'content-type': contentType }, cookies: [], body: raw, text: raw.toString('utf8') };
  }
  const delimiter = raw.indexOf(Buffer.alloc(DELIMITER_LEN));
  if (delimiter < 0) {
    return { ...base, prelude: undefined, status: 502, headers: {}, cookies: [], body: Buffer.alloc(0), text: '' };
  }
  const prelude = JSON.parse(raw.subarray(0, delimiter).toString('utf8')) as Prelude;
  const body = raw.subarray(delimiter + DELIMITER_LEN);
  const headers = Object.fromEntries(Object.entries(prelude.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { ...base, prelude, status: prelude.statusCode ?? 200, headers, cookies: prelude.cookies ?? [], body, text: body.toString('utf8') };
}

function formatError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export interface FunctionUrlRequest {
  method: string;
  /** Path with an optional query string: `/api/v1/generation?id=gen-1`. */
  path: string;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string | Buffer;
  /** Send the body base64-encoded, as Function URLs do for non-text content types. */
  base64?: boolean;
}

/** A Function URL event (payload format 2.0), as Lambda delivers it. */
export function functionUrlEvent(request: FunctionUrlRequest): Record<string, unknown> {
  const domainName = 'abcdefghijklmnopqrstuvwxyz234567.lambda-url.us-east-1.on.aws';
  const [rawPath = '/', rawQueryString = ''] = request.path.split(/\?(.*)/s);
  const headers: Record<string, string> = {
    host: domainName,
    'x-amzn-tls-version': 'TLSv1.3',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-for': '203.0.113.7',
    'x-amzn-trace-id': 'Root=1-65a1b2c3-0123456789abcdef01234567',
    'user-agent': 'OpenAI/JS 6.0.0',
    accept: 'application/json',
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const name of new Set(query.keys())) queryStringParameters[name] = query.getAll(name).join(',');
  const now = Date.now();
  const body = request.body === undefined ? undefined : request.base64 === true ? Buffer.from(request.body).toString('base64') : request.body.toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(request.cookies === undefined ? {} : { cookies: request.cookies }),
    headers,
    ...(rawQueryString === '' ? {} : { queryStringParameters }),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz234567',
      domainName,
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz234567',
      http: { method: request.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: headers['user-agent'] },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: request.base64 === true,
  };
}
