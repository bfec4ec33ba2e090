import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameSource, GatewayRequest, Reply } from '../../lib/api/reply.ts';
import { serveGateway, type RunningServer } from '../../cli/serve.ts';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function gatewayOn(serve: (request: GatewayRequest) => Promise<Reply>, maxBodyBytes?: number): Promise<RunningServer> {
  const server = await serveGateway({ serve }, { maxBodyBytes });
  running.push(server);
  return server;
}

/** The raw bytes of one HTTP/1.1 exchange, so the chunks of a chunked reply can be counted. */
async function rawExchange(url: string, path: string): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  // Written, not ended: a half-closed client socket is a client gone.
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
  let text = '';
  socket.setEncoding('utf8').on('data', (part: string) => (text += part));
  await once(socket, 'close');
  return text;
}

/** The chunks of a chunked body, in order. */
function chunksOf(raw: string): string[] {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const chunks: string[] = [];
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (Number.isNaN(size)) throw new Error(`not a chunked body: ${JSON.stringify(raw)}`);
    if (size === 0) return chunks;
    chunks.push(rest.slice(line + 2, line + 2 + size));
    rest = rest.slice(line + 2 + size + 2);
  }
}

function frames(generate: () => AsyncGenerator<string, void, undefined>, onCancel: () => void = () => undefined): FrameSource {
  const generator = generate();
  return {
    frames: generator,
    cancel: async () => {
      onCancel();
      await generator.return(undefined);
    },
  };
}

describe('serveGateway: the gateway on node:http without web Request/Response', () => {
  it('hands the gateway the method, the absolute URL, the headers and the body, and writes a string reply with its length', async () => {
    let seen: { method: string; url: string; auth: string | null; joined: string | null; missing: string | null; body: string } | undefined;
    const server = await gatewayOn(async (incoming) => {
      seen = {
        method: incoming.method,
        url: incoming.url,
        auth: incoming.headers.get('Authorization'),
        joined: incoming.headers.get('x-tag'),
        missing: incoming.headers.get('x-absent'),
        body: new TextDecoder().decode(await incoming.arrayBuffer()),
      };
      return { status: 201, headers: { 'content-type': 'application/json', 'x-generation-id': 'gen-1' }, body: '{"ok":"é"}' };
    });

    const reply = await new Promise<{ status: number | undefined; headers: Record<string, unknown>; body: string }>((resolve) => {
      const outgoing = request(`${server.url}/api/v1/keys?limit=2`, { method: 'PATCH', headers: [['host', new URL(server.url).host], ['authorization', 'Bearer sk-x'], ['x-tag', 'a'], ['x-tag', 'b']].flat() }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (part: string) => (body += part));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      });
      outgoing.end('{"name":"n"}');
    });

    expect(seen).toEqual({ method: 'PATCH', url: `${server.url}/api/v1/keys?limit=2`, auth: 'Bearer sk-x', joined: 'a, b', missing: null, body: '{"name":"n"}' });
    expect(reply).toEqual({
      status: 201,
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-generation-id': 'gen-1', 'content-length': String(Buffer.byteLength('{"ok":"é"}')) }),
      body: '{"ok":"é"}',
    });
  });

  it('writes the first frame at once, the frames that are ready together as one chunk, and a later frame as the next', async () => {
    const server = await gatewayOn(async () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: frames(async function* () {
        yield 'data: 1\n\n';
        yield 'data: 2\n\n';
        yield 'data: 3\n\n';
        yield 'data: 4\n\n';
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield 'data: [DONE]\n\n';
      }),
    }));

    const raw = await rawExchange(server.url, '/api/v1/chat/completions');

    expect(raw.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(chunksOf(raw)).toEqual(['data: 1\n\n', 'data: 2\n\ndata: 3\n\ndata: 4\n\n', 'data: [DONE]\n\n']);
  });

  it('writes a long run of ready frames in batches of about 16 KB, not all at the end of the turn', async () => {
    const frame = `data: ${'x'.repeat(4090)}\n\n`;
    const server = await gatewayOn(async () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: frames(async function* () {
        for (let index = 0; index < 10; index += 1) yield frame;
      }),
    }));

    const raw = await rawExchange(server.url, '/api/v1/chat/completions');

    expect(chunksOf(raw).map((chunk) => chunk.length / frame.length)).toEqual([1, 4, 4, 1]);
  });

  it('aborts the request’s signal and cancels the frames when the client goes away mid-stream', async () => {
    let signal: AbortSignal | undefined;
    let cancelled!: () => void;
    const cancel = new Promise<void>((resolve) => (cancelled = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await gatewayOn(async (incoming) => {
      signal = incoming.signal;
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: frames(
          async function* () {
            yield 'data: 1\n\n';
            await released;
            yield 'data: 2\n\n';
          },
          () => cancelled(),
        ),
      };
    });
    const outgoing = request(`${server.url}/api/v1/chat/completions`, { method: 'POST' }, (response) => {
      response.once('data', () => outgoing.destroy());
    });
    outgoing.on('error', () => undefined);
    outgoing.end('{}');

    await once(outgoing, 'close');
    if (signal?.aborted !== true) await once(signal as AbortSignal, 'abort');
    release();
    await cancel;

    expect(signal?.aborted).toBe(true);
  });

  it('cuts the connection after what was written when the frames fail, so the client never sees a clean end', async () => {
    const server = await gatewayOn(async () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: frames(async function* () {
        yield 'data: 1\n\n';
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('upstream gone');
      }),
    }));

    const raw = await rawExchange(server.url, '/api/v1/chat/completions');

    expect(raw).toContain('data: 1\n\n');
    expect(raw.endsWith('0\r\n\r\n')).toBe(false);
  });

  it('refuses a body over the limit with 413 before the gateway sees it', async () => {
    let called = false;
    const server = await gatewayOn(async () => {
      called = true;
      return { status: 200, headers: {}, body: null };
    }, 16);

    const status = await new Promise<number | undefined>((resolve) => {
      const outgoing = request(`${server.url}/api/v1/chat/completions`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      outgoing.on('error', () => undefined);
      outgoing.end('x'.repeat(64));
    });

    expect(status).toBe(413);
    expect(called).toBe(false);
  });
});
