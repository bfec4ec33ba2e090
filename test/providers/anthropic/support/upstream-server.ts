// A stand-in Anthropic API: a real HTTP server on loopback (cli/serve.ts)
// that records what reached it and answers with whatever the test says.
import { serve, type RunningServer } from '../../../../cli/serve.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

export interface Upstream {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type Reply = (request: ReceivedRequest) => Response | Promise<Response>;

export async function startUpstream(reply: Reply): Promise<Upstream> {
  const received: ReceivedRequest[] = [];
  const server: RunningServer = await serve(async (request) => {
    const text = await request.text();
    const entry: ReceivedRequest = {
      method: request.method,
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    received.push(entry);
    return reply(entry);
  });
  return { url: server.url, received, close: () => server.close() };
}

/**
 * A body delivered in chunks of `size` bytes, so events, lines and UTF-8
 * characters are split across reads as they are on a real network.
 */
export function chunkedBody(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

export function sseResponse(body: string | Uint8Array, chunkSize = 64): Response {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new Response(chunkedBody(bytes, chunkSize), {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

export function jsonResponse(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
}
