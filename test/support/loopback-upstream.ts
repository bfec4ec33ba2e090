// The one loopback upstream the provider tests replay recordings through: a
// real HTTP server on 127.0.0.1 that answers each request with a scripted
// reply, its body written in the pieces given (cut anywhere: inside lines,
// frames and UTF-8 characters), then ended, cut off or held open.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** The body, as the writes that carry it. */
  pieces: readonly Uint8Array[];
  /** After the pieces: end the reply (the default), destroy the connection, or hold it open until the client leaves. */
  then?: 'end' | 'drop' | 'hold';
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LoopbackUpstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  requests: ReceivedRequest[];
  /** The reply every following request gets, or a function of each request that chooses it. */
  reply(reply: ScriptedReply | ((request: ReceivedRequest) => ScriptedReply)): void;
  /** Resolves when the connection of the latest request has closed (the client let go). */
  closed(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackUpstream(): Promise<LoopbackUpstream> {
  const requests: ReceivedRequest[] = [];
  let current: ScriptedReply | ((request: ReceivedRequest) => ScriptedReply) = { status: 500, pieces: [] };
  let latestClosed: Promise<void> = Promise.resolve();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    latestClosed = new Promise((resolve) => response.on('close', () => resolve()));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const reply = typeof current === 'function' ? current(received) : current;
      void (async () => {
        response.writeHead(reply.status, reply.headers ?? {});
        response.flushHeaders();
        for (const piece of reply.pieces) {
          await new Promise<void>((resolve) => response.write(piece, () => resolve()));
        }
        if (reply.then === 'drop') response.destroy();
        else if (reply.then !== 'hold') response.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reply: (reply) => {
      current = reply;
    },
    closed: () => latestClosed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A small seeded PRNG (mulberry32): the same uneven splits on every run. */
export function seededRandom(seedText: string): () => number {
  let seed = 0;
  for (const char of seedText) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` cut at up to `count - 1` random places: inside lines, frames, lengths, CRCs and UTF-8 characters alike. */
export function splitUnevenly(bytes: Uint8Array, seed: string, count: number): Uint8Array[] {
  const random = seededRandom(seed);
  const cuts = new Set<number>();
  while (cuts.size < Math.min(count - 1, bytes.byteLength - 1)) cuts.add(1 + Math.floor(random() * (bytes.byteLength - 1)));
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...[...cuts].sort((a, b) => a - b), bytes.byteLength]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

/** `bytes` cut inside every multi-byte UTF-8 character (after its first byte); none cut when it has none. */
export function splitInsideCharacters(bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (let index = 0; index < bytes.byteLength; index += 1) {
    // A lead byte of a multi-byte character (11xxxxxx): cut after it.
    if (((bytes[index] ?? 0) & 0xc0) === 0xc0) {
      pieces.push(bytes.subarray(start, index + 1));
      start = index + 1;
    }
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/** Every cut that falls inside a multi-byte UTF-8 character, for a test to show its splits reach them. */
export function cutsInsideCharacters(pieces: readonly Uint8Array[]): number {
  let inside = 0;
  for (const piece of pieces.slice(1)) {
    const first = piece[0];
    // A continuation byte (10xxxxxx) at the start of a piece: the cut split a character.
    if (first !== undefined && (first & 0xc0) === 0x80) inside += 1;
  }
  return inside;
}
