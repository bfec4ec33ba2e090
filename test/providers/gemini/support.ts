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
import { startLoopbackUpstream } from '../../support/loopback-upstream.ts';

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
  /** After the chunks: end the body (default), or send nothing more. */
  after?: 'end' | 'hang';
}

export interface Upstream {
  url: string;
  requests: RecordedRequest[];
  /** Settles when the connection of the latest reply has closed (the client went away, or the reply ended). */
  cancelled: Promise<void>;
  close(): Promise<void>;
}

/** The one loopback upstream (test/support/loopback-upstream.ts), answering every request with `reply(request)`. */
export async function startUpstream(reply: (request: RecordedRequest) => Reply): Promise<Upstream> {
  const upstream = await startLoopbackUpstream();
  const requests: RecordedRequest[] = [];
  upstream.reply((received) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(received.headers)) if (typeof value === 'string') headers.set(name, value);
    const recorded: RecordedRequest = { method: received.method, url: received.url, headers, body: received.body };
    requests.push(recorded);
    const answer = reply(recorded);
    return { status: answer.status, headers: { 'content-type': answer.contentType }, pieces: answer.chunks, then: answer.after === 'hang' ? 'hold' : 'end' };
  });
  return {
    url: upstream.url,
    requests,
    get cancelled() {
      return upstream.closed();
    },
    close: () => upstream.close(),
  };
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

/** What a run of events amounts to, for comparing replays. */
export interface EventSummary {
  upstreamId: string | undefined;
  text: string;
  reasoning: string;
  signatures: string[];
  toolCalls: { id: string; name: string; arguments: string }[];
  finish?: { reason: string; nativeReason: string | null; usage: unknown };
  error?: { status: number; type: string; retryable: boolean };
}

export function summarize(events: readonly StreamEvent[]): EventSummary {
  const summary: EventSummary = { upstreamId: undefined, text: '', reasoning: '', signatures: [], toolCalls: [] };
  for (const event of events) {
    switch (event.type) {
      case 'start':
        summary.upstreamId = event.upstreamId;
        break;
      case 'text':
        summary.text += event.text;
        break;
      case 'reasoning':
        summary.reasoning += event.text;
        break;
      case 'reasoning-signature':
        summary.signatures.push(event.signature);
        break;
      case 'reasoning-encrypted':
      case 'refusal':
        break;
      case 'tool-call-start':
        summary.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
        break;
      case 'tool-call-delta': {
        const call = summary.toolCalls[event.index];
        if (call !== undefined) call.arguments += event.arguments;
        break;
      }
      case 'finish':
        summary.finish = { reason: event.reason, nativeReason: event.nativeReason, usage: event.usage };
        break;
      case 'error':
        summary.error = { status: event.error.status, type: event.error.type, retryable: event.error.retryable };
        break;
    }
  }
  return summary;
}

/** The stream contract: `start` first, then exactly one `finish` or `error`, last. */
export function expectWellFormed(events: readonly StreamEvent[]): void {
  const terminal = events.filter((event) => event.type === 'finish' || event.type === 'error');
  if (terminal.length !== 1 || events.at(-1) !== terminal[0]) {
    throw new Error(`expected exactly one finish or error, last; got ${events.map((event) => event.type).join(', ')}`);
  }
  const starts = events.filter((event) => event.type === 'start');
  if (starts.length > 1 || (starts.length === 1 && events[0] !== starts[0])) throw new Error('`start` must come first, at most once');
}

export const usage = (promptTokens: number, completionTokens: number, cachedTokens = 0, reasoningTokens = 0) => ({
  promptTokens,
  completionTokens,
  cachedTokens,
  cacheWriteTokens: 0,
  reasoningTokens,
});
