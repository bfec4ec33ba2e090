// Back-pressure end to end: a client that stops reading must stop the
// gateway reading from its upstream, so a slow client never makes the
// gateway hold the rest of the stream in memory. The upstream here offers a
// stream far larger than every buffer on the way (its socket, the gateway's
// read side, the gateway's write side, the client's socket) and writes only
// while its socket takes more.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';

/** The stream the upstream would send, were it read: ~200 MB of chunks. */
const CHUNKS = 400_000;
const chunk = (index: number): string =>
  `data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" token number ${index} of a stream far too long to hold in memory, padded out to half a kilobyte per chunk${'.'.repeat(330)}"},"finish_reason":null}]}\n\n`;

interface Flood {
  server: Server;
  url: string;
  /** Bytes the upstream managed to hand to its socket. */
  written: () => number;
  /** Whether the upstream's socket refused more and no drain has followed yet. */
  blocked: () => boolean;
  replies: Set<ServerResponse>;
}

function startFlood(): Promise<Flood> {
  let written = 0;
  let waiting = false;
  const replies = new Set<ServerResponse>();
  const server = createServer((incoming, outgoing) => {
    incoming.resume();
    replies.add(outgoing);
    outgoing.on('close', () => replies.delete(outgoing));
    outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
    let index = 0;
    const pump = (): void => {
      waiting = false;
      while (index < CHUNKS && !outgoing.destroyed) {
        const text = chunk(index++);
        written += Buffer.byteLength(text);
        if (!outgoing.write(text)) {
          waiting = true;
          outgoing.once('drain', pump);
          return;
        }
      }
      outgoing.end('data: [DONE]\n\n');
    };
    pump();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, written: () => written, blocked: () => waiting, replies }),
    ),
  );
}

let flood: Flood;
let gateway: LocalGateway;

beforeAll(async () => {
  flood = await startFlood();
  gateway = await startTestGateway({
    catalogDocument: {
      providers: { flood: { name: 'Flood', kind: 'openai', baseUrl: flood.url } },
      models: [
        {
          id: 'test/flood',
          name: 'Flood',
          created: 1767225600,
          endpoints: [{ provider: 'flood', upstreamModel: 'm', pricing: { prompt: '0', completion: '0' }, contextLength: 32_000, maxCompletionTokens: 4_096, supportedParameters: ['max_tokens'] }],
        },
      ],
    },
  });
});
afterAll(async () => {
  for (const reply of flood.replies) reply.destroy();
  await gateway.close();
  await new Promise<void>((resolve) => flood.server.close(() => resolve()));
});

it('stops reading from the upstream while the client does not read, holding a bounded part of the stream', async () => {
  const url = new URL(`${gateway.baseUrl}/chat/completions`);
  const body = JSON.stringify({ model: 'test/flood', messages: [{ role: 'user', content: 'Go on' }], stream: true });
  const client = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` } });
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    client.on('response', resolve).on('error', reject);
    client.end(body);
  });
  // The client reads the status and headers, then nothing more.
  response.pause();

  // Blocked for good: the upstream's socket refuses more and nothing has moved since the last look.
  let lastSeen = -1;
  await vi.waitFor(
    () => {
      const written = flood.written();
      const stalled = flood.blocked() && written === lastSeen;
      lastSeen = written;
      expect(stalled).toBe(true);
    },
    { timeout: 10_000, interval: 100 },
  );
  const writtenWhenBlocked = flood.written();

  expect(response.statusCode).toBe(200);
  // Every buffer on the way together holds some megabytes; the stream is ~200 MB.
  expect(writtenWhenBlocked).toBeLessThan(40_000_000);
  expect(writtenWhenBlocked).toBeGreaterThan(0);
  response.destroy();
});
