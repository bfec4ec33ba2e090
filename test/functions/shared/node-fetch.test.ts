import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFetch } from '../../../functions/shared/node-fetch.ts';

interface Upstream {
  url: string;
  server: Server;
  connections: number;
  received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function upstream(reply: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<Upstream> {
  const state: Upstream = { url: '', server: createServer(), connections: 0, received: [] };
  state.server.on('connection', () => (state.connections += 1));
  state.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8').on('data', (text: string) => (body += text));
    request.on('end', () => {
      state.received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      reply(request, response, body);
    });
  });
  state.server.listen(0, '127.0.0.1');
  await once(state.server, 'listening');
  servers.push(state.server);
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

describe('the edge upstream client (fetch on node:http)', () => {
  it('sends the method, path, headers and body, and streams the reply with its status and headers', async () => {
    const server = await upstream((_request, response) => {
      response.writeHead(201, { 'content-type': 'text/event-stream', 'x-request-id': 'req-7' });
      response.write('data: one\n\n');
      setImmediate(() => response.end('data: two\n\n'));
    });
    const fetch = createNodeFetch();

    const reply = await fetch(`${server.url}/v1/chat/completions?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-upstream', 'content-type': 'application/json' },
      body: '{"model":"m","note":"héllo"}',
    });

    expect(reply.status).toBe(201);
    expect(reply.headers.get('x-request-id')).toBe('req-7');
    expect(await readAll(reply.body as ReadableStream<Uint8Array>)).toBe('data: one\n\ndata: two\n\n');
    expect(server.received).toEqual([
      expect.objectContaining({ method: 'POST', url: '/v1/chat/completions?x=1', body: '{"model":"m","note":"héllo"}' }),
    ]);
    const headers = server.received[0]?.headers;
    expect(headers?.authorization).toBe('Bearer sk-upstream');
    expect(headers?.['content-length']).toBe(String(Buffer.byteLength('{"model":"m","note":"héllo"}')));
    expect(headers?.['accept-encoding']).toBeUndefined();
  });

  it('keeps the connection for the next request once a reply is read to its end', async () => {
    const server = await upstream((_request, response) => response.end('ok'));
    const fetch = createNodeFetch();

    for (let index = 0; index < 3; index += 1) expect(await (await fetch(`${server.url}/`, { method: 'GET', headers: {} })).text()).toBe('ok');

    expect(server.connections).toBe(1);
  });

  it('gives a reply without a body its status and a null body', async () => {
    const server = await upstream((_request, response) => {
      response.writeHead(204);
      response.end();
    });

    const reply = await createNodeFetch()(`${server.url}/`, { method: 'DELETE', headers: {} });

    expect(reply.status).toBe(204);
    expect(reply.body).toBeNull();
  });

  it('rejects like fetch when nothing listens', async () => {
    const server = await upstream(() => undefined);
    const { url } = server;
    server.server.close();
    servers.length = 0;

    await expect(createNodeFetch()(`${url}/`, { method: 'POST', headers: {}, body: '{}' })).rejects.toThrow(TypeError);
  });

  it('rejects with the signal’s reason when aborted before the reply, and the upstream sees the request go', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = await upstream((request) => {
      request.socket.on('close', () => closed());
      arrived();
    });
    const controller = new AbortController();

    const reply = createNodeFetch()(`${server.url}/`, { method: 'POST', headers: {}, body: '{}', signal: controller.signal });
    await requestArrived;
    controller.abort(new Error('client went away'));

    await expect(reply).rejects.toThrow('client went away');
    await requestClosed;
  });

  it('fails the body when aborted mid-reply', async () => {
    const server = await upstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
    });
    const controller = new AbortController();
    const reply = await createNodeFetch()(`${server.url}/`, { method: 'POST', headers: {}, body: '{}', signal: controller.signal });
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();

    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    controller.abort(new Error('deadline'));

    await expect(reader.read()).rejects.toThrow('deadline');
  });

  it('fails the body when the upstream drops the connection mid-reply', async () => {
    const server = await upstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n', () => setImmediate(() => (response.socket as Socket).destroy()));
    });
    const reply = await createNodeFetch()(`${server.url}/`, { method: 'POST', headers: {}, body: '{}' });
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();

    // What arrived before the drop is read first; then the body fails.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    await expect(reader.read()).rejects.toThrow(TypeError);
  });

  it('hands on the many small HTTP chunks of one socket read as one piece', async () => {
    const events = Array.from({ length: 200 }, (_, index) => `data: ${index}\n\n`);
    const server = await upstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.cork();
      for (const event of events) response.write(event);
      response.uncork();
      response.end();
    });
    const reply = await createNodeFetch()(`${server.url}/`, { method: 'POST', headers: {}, body: '{}' });
    const pieces: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of reply.body as ReadableStream<Uint8Array>) pieces.push(decoder.decode(chunk));

    expect(pieces.join('')).toBe(events.join(''));
    expect(pieces.length).toBeLessThan(events.length / 10);
  });

  it('delivers a reply larger than its buffer intact to a slow reader', async () => {
    const part = 'x'.repeat(64 * 1024);
    const server = await upstream((_request, response) => {
      response.writeHead(200);
      for (let index = 0; index < 32; index += 1) response.write(`${String(index).padStart(4, '0')}${part}`);
      response.end();
    });
    const reply = await createNodeFetch()(`${server.url}/`, { method: 'GET', headers: {} });
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
    let length = 0;
    let text = '';
    for (;;) {
      // A reader that yields to the event loop between reads, so the socket outruns it.
      await new Promise((resolve) => setImmediate(resolve));
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (text.length < 8) text += new TextDecoder().decode(value.subarray(0, 8));
    }

    expect(length).toBe(32 * (4 + part.length));
    expect(text.startsWith('0000xxxx')).toBe(true);
  });
});
