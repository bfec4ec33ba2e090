// The upstream client at the edges: `fetch`'s contract, on node:http and
// node:https with keep-alive agents. Node's own fetch (undici) spends about
// half a millisecond of CPU per request on the fetch algorithm (Request
// objects, header lists, its controller) before the first byte moves; this is
// what every provider call pays, so the edges hand this one to lib/ instead.
//
// What it does not do, because no adapter asks for it: follow redirects (a
// 3xx comes back as it is), decompress (no accept-encoding is sent, so
// upstreams answer uncompressed), or take a Request or a stream as the body;
// those calls go to the global fetch.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetch } from '../../lib/providers/types.ts';

/** Bytes of a reply body held before the socket is paused: the consumer reads far faster than an upstream writes. */
const BODY_HIGH_WATER_MARK = 256 * 1024;
/** Statuses whose reply has no body by the spec: Response refuses one. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export interface NodeFetchOptions {
  /** Idle keep-alive sockets are closed after this (an upstream's own idle timeout is usually longer). */
  keepAliveMs?: number;
}

export function createNodeFetch(options: NodeFetchOptions = {}): Fetch {
  const keepAliveMsecs = options.keepAliveMs ?? 30_000;
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, keepAliveMsecs, scheduling: 'lifo' }),
    'https:': new HttpsAgent({ keepAlive: true, keepAliveMsecs, scheduling: 'lifo' }),
  };
  return (input, init) => {
    const body = init?.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (input instanceof Request || !plainBody) return fetch(input, init);
    const url = input instanceof URL ? input : new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
    return send(url, init ?? {}, body, url.protocol === 'https:' ? agents['https:'] : agents['http:']);
  };
}

function send(url: URL, init: RequestInit, body: string | Uint8Array | null | undefined, agent: HttpAgent): Promise<Response> {
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: init.method ?? 'GET',
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
      const headers = new Headers();
      const raw = incoming.rawHeaders;
      for (let index = 0; index < raw.length; index += 2) headers.append(raw[index] as string, raw[index + 1] as string);
      const empty = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD';
      if (empty) incoming.resume();
      try {
        resolve(new Response(empty ? null : bodyStream(incoming, signal), { status, statusText: incoming.statusMessage, headers }));
      } catch (error) {
        // A status a Response cannot carry (outside 200–599).
        incoming.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    request.end(body ?? undefined);
  });
}

function outgoingHeaders(headers: HeadersInit | undefined, body: string | Uint8Array | null | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    record[name] = value;
  });
  if (body !== undefined && body !== null && record['content-length'] === undefined) {
    record['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  }
  return record;
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
