// Test support for the Gemini adapter: a catalog endpoint, provider calls,
// and a loopback upstream that records requests and replays recorded bytes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { parseOrThrow } from '../../../lib/api/validate.ts';
import { createCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import type { SupportedParameter } from '../../../lib/catalog/schema.ts';
import type { ProviderCall } from '../../../lib/providers/types.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { serve, type RunningServer } from '../../../cli/serve.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const ownFixtures = path.join(repoRoot, 'test/fixtures/gemini');
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures/gemini');

/** File names in a fixture directory; none when it is absent. */
export function fixtureFiles(directory: string): string[] {
  try {
    return readdirSync(directory).filter((name) => /\.(sse|json)$/.test(name)).sort();
  } catch {
    return [];
  }
}

export const readFixture = (directory: string, name: string): Buffer => readFileSync(path.join(directory, name));

export const allParameters: SupportedParameter[] = [
  'temperature',
  'top_p',
  'top_k',
  'max_tokens',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'response_format',
  'structured_outputs',
  'tools',
  'tool_choice',
  'reasoning',
  'include_reasoning',
];

export interface EndpointOptions {
  baseUrl?: string;
  upstreamModel?: string;
  supportedParameters?: SupportedParameter[];
  headers?: Record<string, string>;
}

export function geminiEndpoint(options: EndpointOptions = {}): Endpoint {
  const catalog = createCatalog({
    providers: {
      'google-ai-studio': {
        name: 'Google AI Studio',
        kind: 'gemini',
        baseUrl: options.baseUrl ?? 'https://generativelanguage.googleapis.com',
        credential: 'GEMINI_API_KEY',
        headers: options.headers,
      },
    },
    models: [
      {
        id: 'google/gemini-2.5-flash',
        name: 'Google: Gemini 2.5 Flash',
        created: 1750172488,
        endpoints: [
          {
            provider: 'google-ai-studio',
            upstreamModel: options.upstreamModel ?? 'gemini-2.5-flash',
            pricing: { prompt: '0.3', completion: '2.5' },
            contextLength: 1048576,
            maxCompletionTokens: 65535,
            supportedParameters: options.supportedParameters ?? allParameters,
          },
        ],
      },
    ],
  });
  return catalog.endpoints[0] as Endpoint;
}

export interface CallOptions {
  endpoint?: Endpoint;
  stream?: boolean;
  maxTokens?: number;
  credential?: string;
  signal?: AbortSignal;
}

export function geminiCall(body: Record<string, unknown>, options: CallOptions = {}): ProviderCall {
  return {
    request: parseOrThrow(chatRequest, { model: 'google/gemini-2.5-flash', ...body }),
    endpoint: options.endpoint ?? geminiEndpoint(),
    stream: options.stream ?? true,
    maxTokens: options.maxTokens ?? 1024,
    credential: 'credential' in options ? options.credential : 'test-gemini-key',
    signal: options.signal ?? new AbortController().signal,
    fetch: (input, init) => fetch(input, init),
  };
}

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Headers;
  body: string;
}

export interface Reply {
  status: number;
  contentType: string;
  /** Written one after another, as separate socket writes. */
  chunks: Uint8Array[];
  /** Cut the connection after the chunks instead of ending the body. */
  drop?: boolean;
}

export interface Upstream {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A loopback upstream answering every request with `reply(request)`. */
export async function startUpstream(reply: (request: RecordedRequest) => Reply): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  const server: RunningServer = await serve(async (request) => {
    const url = new URL(request.url);
    const recorded: RecordedRequest = {
      method: request.method,
      url: `${url.pathname}${url.search}`,
      headers: request.headers,
      body: await request.text(),
    };
    requests.push(recorded);
    const answer = reply(recorded);
    const chunks = [...answer.chunks];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next !== undefined) controller.enqueue(next);
        else if (answer.drop === true) controller.error(new Error('simulated connection drop'));
        else controller.close();
      },
    });
    return new Response(body, { status: answer.status, headers: { 'content-type': answer.contentType } });
  });
  return { url: server.url, requests, close: () => server.close() };
}

/** `bytes` cut into pieces of `size` (the last may be shorter). */
export function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

export function contentTypeFor(name: string): string {
  return name.endsWith('.sse') ? 'text/event-stream' : 'application/json';
}

/** The HTTP status an `error-<status>-…json` fixture was recorded with. */
export function statusOf(name: string): number {
  const match = /^error-(\d{3})/.exec(name);
  return match === null ? 200 : Number(match[1]);
}
