// The upstream client at the edges: lib/'s `Fetch` contract on node:http and
// node:https with keep-alive agents. Node's own fetch (undici) spends about
// half a millisecond of CPU per call on the fetch algorithm (Request objects,
// header lists, its controller) before the first byte moves, and its first
// use loads undici itself (~10 ms of a cold start); this makes no web
// Request, Headers or Response at all.
//
// What it does not do, because no adapter asks for it: follow redirects (a
// 3xx comes back as it is) or decompress (no accept-encoding is sent, so
// upstreams answer uncompressed).
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetch, HeaderReader, UpstreamRequestInit, UpstreamResponse } from '../../lib/providers/types.ts';

/** Bytes of a reply body held before the socket is paused: the consumer reads far faster than an upstream writes. */
const BODY_HIGH_WATER_MARK = 256 * 1024;
/** Statuses whose reply has no body by the spec. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export interface NodeFetchOptions {
  /** Idle keep-alive sockets are closed after this (an upstream's own idle timeout is usually longer). */
  keepAliveMs?: number;
}

export function createNodeFetch(options: NodeFetchOptions = {}): Fetch {
  const keepAliveMsecs = options.keepAliveMs ?? 30_000;
  const http = new HttpAgent({ keepAlive: true, keepAliveMsecs, scheduling: 'lifo' });
  const https = new HttpsAgent({ keepAlive: true, keepAliveMsecs, scheduling: 'lifo' });
  return (input, init) => {
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new TypeError(`fetch failed: ${url.protocol} is not HTTP`));
    return send(url, init, url.protocol === 'https:' ? https : http);
  };
}

function send(url: URL, init: UpstreamRequestInit, agent: HttpAgent): Promise<UpstreamResponse> {
  const { signal, body } = init;
  return new Promise<UpstreamResponse>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: init.method,
      headers: outgoingHeaders(init.headers, body),
      agent,
    });
    let reply: IncomingMessage | undefined;
    const onAbort = (): void => {
      const reason = signal?.reason as Error;
      // Before the reply: the promise rejects. After: its body fails.
      if (reply === undefined) reject(reason);
      request.destroy(reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => signal?.removeEventListener('abort', onAbort);
    request.on('error', (error) => {
      settle();
      if (reply === undefined) reject(new TypeError('fetch failed', { cause: error }));
    });
    request.on('response', (incoming) => {
      reply = incoming;
      incoming.on('close', settle);
      const status = incoming.statusCode ?? 502;
      const empty = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD';
      if (empty) incoming.resume();
      resolve(new NodeResponse(status, incoming.headers, empty ? null : bodyStream(incoming, signal)));
    });
    request.end(body);
  });
}

/** The reply as lib/ reads it. */
class NodeResponse implements UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeaderReader;
  readonly body: ReadableStream<Uint8Array> | null;

  constructor(status: number, headers: IncomingHttpHeaders, body: ReadableStream<Uint8Array> | null) {
    this.status = status;
    this.ok = status >= 200 && status <= 299;
    this.headers = new NodeHeaders(headers);
    this.body = body;
  }

  async text(): Promise<string> {
    if (this.body === null) return '';
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of this.body) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }
}

/** `Headers.get` over node:http's parsed headers (names lower-cased there; repeated values joined as fetch joins them). */
export class NodeHeaders implements HeaderReader {
  private readonly headers: IncomingHttpHeaders;

  constructor(headers: IncomingHttpHeaders) {
    this.headers = headers;
  }

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

function outgoingHeaders(headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined): Record<string, string> {
  if (body === undefined || headers['content-length'] !== undefined) return headers;
  return { ...headers, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) };
}

/**
 * The reply's bytes as a web stream, paused while its reader is behind. The
 * pieces one socket read yields (an SSE upstream sends each event as its own
 * HTTP chunk, so one read can carry hundreds) are handed on as one chunk.
 * A reply cut off before its end fails the stream once what arrived has been
 * read; an abort fails it at once.
 */
function bodyStream(incoming: IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  let pieces: Buffer[] = [];
  let scheduled = false;
  let settled = false;
  let failure: unknown;
  let deliver = (): void => undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        deliver = () => {
          scheduled = false;
          if (pieces.length === 0) return;
          const bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
          pieces = [];
          controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        };
        incoming.on('data', (piece: Buffer) => {
          pieces.push(piece);
          if (!scheduled) {
            scheduled = true;
            queueMicrotask(deliver);
          }
        });
        incoming.on('end', () => {
          settled = true;
          deliver();
          controller.close();
        });
        incoming.on('close', () => {
          if (settled) return;
          settled = true;
          if (signal?.aborted === true) {
            controller.error(signal.reason);
            return;
          }
          failure = new TypeError('terminated: the upstream closed the connection mid-reply');
          deliver();
          // Nothing left unread: fail now; else once the reader has taken it (pull).
          if (controller.desiredSize === BODY_HIGH_WATER_MARK) controller.error(failure);
        });
        incoming.on('error', () => undefined);
      },
      pull(controller) {
        if (failure !== undefined) {
          if (controller.desiredSize === BODY_HIGH_WATER_MARK) controller.error(failure);
          return;
        }
        incoming.resume();
      },
      cancel() {
        settled = true;
        incoming.destroy();
      },
    },
    { highWaterMark: BODY_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
  );
}
