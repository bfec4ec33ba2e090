// Function URL events ↔ the gateway's plain requests and Replies (and web
// Request/Response for fetch-style callers). The only place that knows the
// event's shape.
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { FrameSource, GatewayRequest, Reply } from '../../lib/api/reply.ts';

export function requestFromEvent(event: LambdaFunctionURLEvent): Request {
  const http = event.requestContext.http;
  const query = event.rawQueryString === '' ? '' : `?${event.rawQueryString}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  // Function URLs move the Cookie header into a `cookies` array (payload format 2.0).
  if (event.cookies !== undefined && event.cookies.length > 0) headers.set('cookie', event.cookies.join('; '));
  const hasBody = event.body !== undefined && event.body !== '' && http.method !== 'GET' && http.method !== 'HEAD';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body as string, 'base64') : (event.body as string)) : undefined;
  return new Request(`https://${event.requestContext.domainName}${event.rawPath}${query}`, {
    method: http.method,
    headers,
    body: body as BodyInit | undefined,
  });
}

export interface StreamingResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: ReadableStream<Uint8Array> | Readable | string;
}

export function resultFromResponse(response: Response): StreamingResult {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: response.body ?? '',
  };
}

/**
 * Whether an invocation event has the parts of a Function URL request (payload
 * format 2.0) that the gateway reads. Anything else (a test event from the
 * console, a direct `Invoke` with some other payload) is answered with a 400,
 * never a thrown error: a throw in a streaming function reaches the caller
 * only as a broken response.
 */
export function isFunctionUrlEvent(event: unknown): event is LambdaFunctionURLEvent {
  if (typeof event !== 'object' || event === null) return false;
  const { requestContext, rawPath, rawQueryString, headers, body, isBase64Encoded } = event as Record<string, unknown>;
  if (typeof requestContext !== 'object' || requestContext === null) return false;
  const { http, domainName } = requestContext as Record<string, unknown>;
  if (typeof http !== 'object' || http === null || typeof (http as Record<string, unknown>).method !== 'string') return false;
  return (
    typeof domainName === 'string' &&
    typeof rawPath === 'string' &&
    rawPath.startsWith('/') &&
    (rawQueryString === undefined || typeof rawQueryString === 'string') &&
    (headers === undefined || (typeof headers === 'object' && headers !== null)) &&
    (body === undefined || typeof body === 'string') &&
    (isBase64Encoded === undefined || typeof isBase64Encoded === 'boolean')
  );
}

/**
 * The event as the plain request `Gateway.serve` reads: no web Request or
 * Headers, whose first use loads Node's whole fetch implementation (undici,
 * some 30 ms on a cold start) before the first request could even be read.
 */
export function gatewayRequestFromEvent(event: LambdaFunctionURLEvent): GatewayRequest {
  const http = event.requestContext.http;
  const query = event.rawQueryString === '' || event.rawQueryString === undefined ? '' : `?${event.rawQueryString}`;
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  }
  // Function URLs move the Cookie header into a `cookies` array (payload format 2.0).
  if (event.cookies !== undefined && event.cookies.length > 0) headers.set('cookie', event.cookies.join('; '));
  const hasBody = event.body !== undefined && event.body !== '' && http.method !== 'GET' && http.method !== 'HEAD';
  const body = event.body ?? '';
  return {
    method: http.method,
    url: `https://${event.requestContext.domainName}${event.rawPath}${query}`,
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
    // A Function URL does not tell a streaming function that its caller left.
    signal: new AbortController().signal,
    arrayBuffer: () => {
      if (!hasBody) return Promise.resolve(new ArrayBuffer(0));
      const bytes = Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8');
      return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    },
  };
}

export function resultFromReply(reply: Reply): StreamingResult {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(reply.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') (cookies ??= []).push(value);
    else headers[lower] = value;
  }
  const { body } = reply;
  return {
    statusCode: reply.status,
    headers,
    ...(cookies === undefined ? {} : { cookies }),
    body: body === null ? '' : typeof body === 'string' ? body : frameReadable(body),
  };
}

/**
 * SSE frames as a byte stream that middy pipes into the response stream. A
 * frame is taken only when the stream wants more; when the response stream
 * goes away first, the frame source is told (the generation is recorded as
 * cancelled); when the frames fail, the stream fails, so the caller sees a
 * broken response rather than a clean end.
 */
export function frameReadable(source: FrameSource): Readable {
  let finished = false;
  const readable: Readable = new Readable({
    read() {
      source.frames.next().then(
        (next) => {
          if (next.done === true) {
            finished = true;
            readable.push(null);
          } else readable.push(next.value, 'utf8');
        },
        (error: unknown) => {
          finished = true;
          readable.destroy(error instanceof Error ? error : new Error('the reply stream failed'));
        },
      );
    },
    destroy(error, callback) {
      if (finished) {
        callback(error);
        return;
      }
      finished = true;
      source.cancel().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  return readable;
}
