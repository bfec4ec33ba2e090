// Shared pieces of the Bedrock tests: fixture discovery, endpoints, the
// binary event-stream encoder and a loopback upstream.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { parseOrThrow } from '../../../lib/api/validate.ts';
import { createCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import type { SupportedParameter } from '../../../lib/catalog/schema.ts';
import type { EventStreamMessage } from '../../../lib/providers/bedrock/wire-schemas.ts';
import type { ProviderCall } from '../../../lib/providers/types.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const ownFixtures = path.join(repoRoot, 'test/fixtures/bedrock');
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures/bedrock');

export interface FixtureFile {
  name: string;
  file: string;
}

/** Files of a fixture directory matching `pattern`; none when the directory is absent. */
export function fixtureFiles(directory: string, pattern: RegExp): FixtureFile[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ name, file: path.join(directory, name) }));
}

/** A `.jsonl` recording: one `{"<event type>": payload}` per line. */
export function readStreamFixture(file: string): EventStreamMessage[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      const [type, payload] = Object.entries(record)[0] ?? ['', undefined];
      return { messageType: /exception$/i.test(type) ? 'exception' : 'event', type, payload };
    });
}

export function readJsonFixture(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** The binary frame Bedrock sends for one message. */
export function encodeMessage(message: EventStreamMessage): Uint8Array {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const header = (value: string) => ({ type: 'string' as const, value });
  const headers: Record<string, ReturnType<typeof header>> =
    message.messageType === 'exception'
      ? { ':message-type': header('exception'), ':exception-type': header(message.type), ':content-type': header('application/json') }
      : { ':message-type': header('event'), ':event-type': header(message.type), ':content-type': header('application/json') };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(message.payload)) });
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export { seededRandom } from '../../support/loopback-upstream.ts';

/** `bytes` cut at `count - 1` random places (some cuts land inside headers, lengths and CRCs). */
export function splitRandomly(bytes: Uint8Array, random: () => number, count: number): Uint8Array[] {
  const cuts = new Set<number>();
  while (cuts.size < Math.min(count - 1, bytes.byteLength - 1)) cuts.add(1 + Math.floor(random() * (bytes.byteLength - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...sorted, bytes.byteLength]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

export interface BedrockEndpointOptions {
  baseUrl: string;
  upstreamModel?: string;
  region?: string | undefined;
  supportedParameters?: SupportedParameter[];
}

export const CLAUDE_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

export function bedrockEndpoint(options: BedrockEndpointOptions): Endpoint {
  const catalog = createCatalog({
    providers: {
      'amazon-bedrock': {
        name: 'Amazon Bedrock',
        kind: 'bedrock',
        baseUrl: options.baseUrl,
        ...(options.region === undefined ? {} : { region: options.region }),
      },
    },
    models: [
      {
        id: 'anthropic/claude-sonnet-4.5',
        name: 'Claude Sonnet 4.5',
        created: 1759104000,
        endpoints: [
          {
            provider: 'amazon-bedrock',
            upstreamModel: options.upstreamModel ?? CLAUDE_MODEL,
            pricing: { prompt: '3', completion: '15' },
            contextLength: 200000,
            maxCompletionTokens: 64000,
            supportedParameters: options.supportedParameters ?? [
              'temperature',
              'top_p',
              'max_tokens',
              'stop',
              'tools',
              'tool_choice',
              'reasoning',
              'include_reasoning',
            ],
          },
        ],
      },
    ],
  });
  const endpoint = catalog.endpoints[0];
  if (endpoint === undefined) throw new Error('test catalog has no endpoint');
  return endpoint;
}

export function providerCall(endpoint: Endpoint, request: unknown, overrides: Partial<ProviderCall> = {}): ProviderCall {
  return {
    request: parseOrThrow(chatRequest, request),
    endpoint,
    stream: false,
    maxTokens: 1024,
    credential: undefined,
    signal: new AbortController().signal,
    fetch: globalThis.fetch,
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP upstream: records each request, answers with `reply`. */
export async function startUpstream(reply: (request: RecordedRequest, response: ServerResponse) => Promise<void> | void): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      void Promise.resolve(reply(recorded, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `pieces` one write at a time, letting each reach the socket before the next. */
export async function writePieces(response: ServerResponse, pieces: readonly Uint8Array[]): Promise<void> {
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) => response.write(piece, (error) => (error ? reject(error) : resolve())));
  }
}

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export const staticCredentials = () =>
  Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' });
