// Function URL events ↔ web Request/Response. The only place that knows the
// event's shape.
import type { LambdaFunctionURLEvent } from 'aws-lambda';

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
  body: ReadableStream<Uint8Array> | string;
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
