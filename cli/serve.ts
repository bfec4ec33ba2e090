// node:http in front of the app. The gateway is served as plain requests and
// Replies (`serveGateway`: no web Request/Response on its hot path); any
// fetch-style handler ((Request) => Promise<Response>), such as the provider
// simulator, through `serve`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Gateway } from '../lib/http/app.ts';
import { NodeHeaders } from '../functions/shared/node-fetch.ts';
import type { FrameSource, GatewayRequest, HeaderReader, Reply } from '../lib/api/reply.ts';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Bodies beyond this are refused with 413 before the handler sees them. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  server: Server;
  /** Requests whose response has not ended yet. */
  inFlight(): number;
  /** Stop at once: every connection is cut. */
  close(): Promise<void>;
  /**
   * Stop gracefully: accept nothing more, let the requests in flight finish
   * for up to `drainMs`, then abort the signals of those still running with
   * `cutReason` (the app ends each as its own error says), give them
   * `cutGraceMs` to write that end, and only then cut what is left.
   * Resolves with what happened to the requests in flight.
   */
  drain(options: DrainOptions): Promise<DrainOutcome>;
}

export interface DrainOptions {
  drainMs: number;
  cutReason: unknown;
  cutGraceMs?: number;
  /** Told once when the drain starts, with the number of requests in flight. */
  onStart?: (inFlight: number) => void;
}

export interface DrainOutcome {
  /** In flight when the drain started. */
  inFlight: number;
  /** Of those, ended with the cut reason after `drainMs`. */
  cut: number;
  /** Still not ended after the grace and closed by force. */
  forced: number;
}

/** A request between its arrival and its response's end. */
interface Exchange {
  controller: AbortController;
  ended: Promise<void>;
}

const HARD_BODY_LIMIT = 16 * 1024 * 1024;
/** Request headers beyond this are refused with 431 (node:http's own default, said here so it is a decision). */
export const MAX_HEADER_BYTES = 16 * 1024;

export function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  return listen(
    options,
    (req, body, signal) => handler(webRequest(req, body, signal)),
    (res, response, signal) => writeResponse(response, res, signal),
  );
}

export function serveGateway(gateway: Pick<Gateway, 'serve'>, options: ServeOptions = {}): Promise<RunningServer> {
  return listen(
    options,
    (req, body, signal) => gateway.serve(new NodeRequest(req, body, signal)),
    (res, reply) => writeReply(reply, res),
  );
}

async function listen<T>(
  options: ServeOptions,
  run: (req: IncomingMessage, body: Buffer, signal: AbortSignal) => Promise<T>,
  write: (res: ServerResponse, result: T, signal: AbortSignal) => Promise<void>,
): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? HARD_BODY_LIMIT;
  const exchanges = new Set<Exchange>();
  let stopping = false;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    // A request that arrives on a kept-alive connection while the server stops is refused, and its connection closed.
    if (stopping) {
      writeStopping(res);
      return;
    }
    const controller = abortOnClose(res);
    const exchange: Exchange = { controller, ended: new Promise<void>((resolve) => res.once('close', () => resolve())) };
    exchanges.add(exchange);
    void exchange.ended.then(() => exchanges.delete(exchange));
    void answer(req, res, controller, maxBodyBytes, (body, signal) => run(req, body, signal), (result, signal) => write(res, result, signal));
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const close = async (): Promise<void> => {
    stopping = true;
    if (server.listening) server.close();
    server.closeAllConnections();
    await closed;
  };
  return {
    url: `http://${displayHost}:${port}`,
    port,
    server,
    inFlight: () => exchanges.size,
    close,
    async drain({ drainMs, cutReason, cutGraceMs = 5_000, onStart }) {
      stopping = true;
      const started = [...exchanges];
      onStart?.(started.length);
      // No new connections; idle kept-alive ones are closed now, busy ones once their response has ended.
      if (server.listening) server.close();
      server.closeIdleConnections();
      const allEnded = (): Promise<void> => Promise.all([...exchanges].map((exchange) => exchange.ended)).then(() => undefined);
      const finished = await within(allEnded(), drainMs);
      const running = finished ? [] : [...exchanges];
      for (const exchange of running) exchange.controller.abort(cutReason);
      const ended = running.length === 0 || (await within(allEnded(), cutGraceMs));
      const forced = ended ? 0 : exchanges.size;
      await close();
      return { inFlight: started.length, cut: running.length, forced };
    },
  };
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function writeStopping(res: ServerResponse): void {
  const body = JSON.stringify({ error: { code: 503, message: 'The gateway is shutting down: retry the request', metadata: { error_type: 'server' } } });
  res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close', 'retry-after': '1' });
  res.end(body);
}

/**
 * One request: its body read (413 past the limit), the app run on it, the
 * result written. A throw before the write is a 500.
 */
async function answer<T>(
  req: IncomingMessage,
  res: ServerResponse,
  controller: AbortController,
  maxBodyBytes: number,
  run: (body: Buffer, signal: AbortSignal) => Promise<T>,
  write: (result: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  let result: T;
  try {
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      writeTooLarge(res);
      return;
    }
    result = await run(body, controller.signal);
  } catch (error) {
    handlerFailed(res, error);
    return;
  }
  await write(result, controller.signal);
}

/** The web Request a fetch-style handler takes. */
function webRequest(req: IncomingMessage, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    body: body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? (body as Uint8Array<ArrayBuffer>) : undefined,
    signal,
  });
}

/** Aborted when the client goes away before the response has ended (or by a drain, with its reason). */
function abortOnClose(res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished && !controller.signal.aborted) controller.abort();
  });
  return controller;
}

function handlerFailed(res: ServerResponse, error: unknown): void {
  console.error(JSON.stringify({ level: 'error', message: 'handler failed', error: String(error) }));
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 500, message: 'Internal error' } }));
  }
}

/** The request as the gateway reads it, straight from node:http. */
class NodeRequest implements GatewayRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
  readonly signal: AbortSignal;
  private readonly body: Buffer;

  constructor(req: IncomingMessage, body: Buffer, signal: AbortSignal) {
    this.body = body;
    this.signal = signal;
    this.method = req.method ?? 'GET';
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    this.headers = new NodeHeaders(req.headers);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const { body } = this;
    return Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  }
}

/** A Reply to the socket: the string, or the frames as they come. */
async function writeReply(reply: Reply, res: ServerResponse): Promise<void> {
  const { body } = reply;
  if (body === null || typeof body === 'string') {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': body === null ? 0 : Buffer.byteLength(body) });
    res.end(body ?? undefined);
    return;
  }
  // The headers leave with the first frame.
  res.writeHead(reply.status, reply.headers);
  await writeFrames(body, res);
}

/** A batch goes out at once when it reaches this, whatever is still on its way. */
const BATCH_BYTES = 16 * 1024;

/**
 * Frames as they come, in as few socket writes as possible: the frames
 * decoded from one upstream read all arrive within one turn of the event
 * loop, so they are gathered and written together once the turn is over (or
 * once they fill a batch). The first frame goes at once, with the headers:
 * the first byte is what the caller waits for.
 */
async function writeFrames(source: FrameSource, res: ServerResponse): Promise<void> {
  // Joined once at the write: a string grown frame by frame would be a rope
  // that the write has to flatten, which costs more than the frames' encoding.
  let pending: string[] = [];
  let pendingLength = 0;
  let scheduled = false;
  let started = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0 || res.destroyed) return;
    res.write(Buffer.from(pending.length === 1 ? (pending[0] as string) : pending.join('')));
    pending = [];
    pendingLength = 0;
  };
  try {
    for (;;) {
      const next = await source.frames.next();
      if (next.done === true) break;
      if (res.destroyed) {
        await source.cancel();
        return;
      }
      pending.push(next.value);
      pendingLength += next.value.length;
      if (!started || pendingLength >= BATCH_BYTES) {
        started = true;
        flush();
      } else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      // The client reads slower than the upstream sends: wait for it.
      if (res.writableNeedDrain) await drained(res);
    }
  } catch {
    // The frames failed: cut the connection so the client sees a broken
    // response, never a clean end; but first let what was written go out.
    flush();
    if (!res.destroyed) await new Promise<void>((resolve) => res.write('', () => resolve()));
    res.destroy();
    return;
  }
  flush();
  res.end();
}

const answeredSockets = new WeakSet<Socket>();
/** How long a refused client may go on sending before its connection is cut. */
const REFUSED_DRAIN_MS = 5_000;

/**
 * A request node:http could not parse (headers too large, a malformed
 * request line) gets the JSON error envelope like any other refusal, where
 * node:http alone sends an empty 431 or, while the client is still sending,
 * resets the connection. What the client still sends is read and dropped
 * until it has read the answer and closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  socket.on('error', () => undefined);
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    error: tooLarge
      ? { code: 431, message: `Request headers are larger than ${MAX_HEADER_BYTES} bytes`, metadata: { error_type: 'invalid_request' } }
      : { code: 400, message: 'Malformed HTTP request', metadata: { error_type: 'invalid_request' } },
  });
  socket.on('data', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), REFUSED_DRAIN_MS).unref();
}

function writeTooLarge(res: ServerResponse): void {
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: { code: 413, message: 'Request body is too large', metadata: { error_type: 'payload_too_large' } } }));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (streaming) res.flushHeaders();
  const reader = response.body.getReader();
  const onAbort = (): void => {
    void reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
  } catch {
    // The body failed: cut the connection so the client sees a broken
    // response, never a clean end; but first let what was written go out.
    signal.removeEventListener('abort', onAbort);
    if (!res.destroyed) await new Promise<void>((resolve) => res.write('', () => resolve()));
    res.destroy();
    return;
  }
  signal.removeEventListener('abort', onAbort);
  res.end();
}

/** Resolves when the response may take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
