// What the gateway reads of a request and what a route answers, without web
// Request/Response objects. On the hottest path they cost more than the work
// they carry (header lists, body streams, a promise and a copy per frame), so
// the Node edges hand in a plain request and write a Reply straight to their
// socket. `toResponse` makes a web Response of a Reply for fetch-style callers.

import type { GatewayError } from './errors.ts';

/** Reads a header, case-insensitively: a web `Headers` is one. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The request as the gateway reads it: a web `Request` is one. */
export interface GatewayRequest {
  readonly method: string;
  /** Absolute. */
  readonly url: string;
  readonly headers: HeaderReader;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** SSE frames as they become ready. */
export interface FrameSource {
  frames: AsyncGenerator<string, void, undefined>;
  /** The reader went away: record it (the generation is cancelled) and stop the frames. */
  cancel(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** A whole body, SSE frames, or none. */
  body: string | FrameSource | null;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The OpenRouter error envelope, with the error's own headers (Retry-After, X-RateLimit-*). */
export function errorResponse(error: GatewayError, headers: Record<string, string> = {}): Reply {
  const extra: Record<string, string> = { ...error.headers, ...headers };
  if (error.retryAfterMs !== undefined && extra['retry-after'] === undefined && (error.status === 429 || error.status === 503)) {
    extra['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  return { status: error.status, headers: { ...JSON_HEADERS, ...extra }, body: error.toResponseBody() };
}

export function toResponse(reply: Reply): Response {
  const { body } = reply;
  const content = body === null || typeof body === 'string' ? body : frameStream(body);
  return new Response(content, { status: reply.status, headers: reply.headers });
}

/**
 * The frames as a byte stream, one chunk each. No frame is taken before
 * somebody reads (a high-water mark of 0).
 */
function frameStream(source: FrameSource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await source.frames.next();
        if (next.done === true) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      cancel: () => source.cancel(),
    },
    { highWaterMark: 0 },
  );
}
