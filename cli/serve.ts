// Serves a fetch-style handler ((Request) => Promise<Response>) on node:http:
// the local gateway and the provider simulator both run through it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DirectResponse, type FrameSource } from '../lib/http/direct-response.ts';

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
  close(): Promise<void>;
}

const HARD_BODY_LIMIT = 16 * 1024 * 1024;

export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? HARD_BODY_LIMIT;
  const server = createServer((req, res) => {
    void handle(handler, req, res, maxBodyBytes);
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${displayHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  const controller = new AbortController();
  // The client went away before the response ended: tell the handler.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  let response: Response;
  try {
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      writeTooLarge(res);
      return;
    }
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      body: body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? (body as Uint8Array<ArrayBuffer>) : undefined,
      signal: controller.signal,
    });
    response = await handler(request);
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'handler failed', error: String(error) }));
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, message: 'Internal error' } }));
    }
    return;
  }
  if (response instanceof DirectResponse) await writeDirect(response, res);
  else await writeResponse(response, res, controller.signal);
}

/** Our own replies: the string, or the frames, straight to the socket. */
async function writeDirect(response: DirectResponse, res: ServerResponse): Promise<void> {
  const { content } = response;
  if (typeof content === 'string') {
    res.writeHead(response.status, { ...response.headerRecord, 'content-length': Buffer.byteLength(content) });
    res.end(content);
    return;
  }
  res.writeHead(response.status, response.headerRecord);
  res.flushHeaders();
  await writeFrames(content, res);
}

/**
 * Frames as they come, in as few socket writes as possible: the frames
 * decoded from one upstream read all arrive within one turn of the event
 * loop, so they are gathered and written together once the turn is over.
 */
async function writeFrames(source: FrameSource, res: ServerResponse): Promise<void> {
  // Joined once at the write: a string grown frame by frame would be a rope
  // that the write has to flatten, which costs more than the frames' encoding.
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0 || res.destroyed) return;
    res.write(Buffer.from(pending.length === 1 ? (pending[0] as string) : pending.join('')));
    pending = [];
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
      if (!scheduled) {
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
