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
 * The event as the plain request `Gateway.serve` reads: no web Request or
 * Headers, whose first use loads Node's whole fetch implementation (undici,
 * some 30 ms on a cold start) before the first request could even be read.
 */
export function gatewayRequestFromEvent(event: LambdaFunctionURLEvent): GatewayRequest {
  const http = event.requestContext.http;
  const query = event.rawQueryString === '' ? '' : `?${event.rawQueryString}`;
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
