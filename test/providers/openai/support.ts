// Shared pieces of the OpenAI adapter tests: a catalog endpoint, the loopback
// upstream fed recorded bytes, and an event summary for assertions.
import path from 'node:path';
import { expect } from 'vitest';
import { chatRequest, type ChatWireRequest } from '../../../lib/api/chat-request.ts';
import { createCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import type { ProviderEntry, SupportedParameter } from '../../../lib/catalog/schema.ts';
import type { ProviderCall } from '../../../lib/providers/types.ts';
import type { FinishReason, StreamEvent, Usage } from '../../../lib/streaming/events.ts';
import { startLoopbackUpstream, type ReceivedRequest } from '../../support/loopback-upstream.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const ownFixtures = path.resolve(repoRoot, 'test/fixtures/openai');
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures/openai');

export interface EndpointOptions {
  baseUrl?: string;
  supportedParameters?: SupportedParameter[];
  headers?: Record<string, string>;
  upstreamModel?: string;
  usageCounting?: ProviderEntry['usageCounting'];
  azure?: ProviderEntry['azure'];
}

export function openaiEndpoint(options: EndpointOptions = {}): Endpoint {
  const catalog = createCatalog({
    providers: {
      acme: {
        name: 'Acme AI',
        kind: 'openai',
        baseUrl: options.baseUrl ?? 'http://127.0.0.1:9/v1',
        credential: 'ACME_API_KEY',
        headers: options.headers,
        ...(options.usageCounting === undefined ? {} : { usageCounting: options.usageCounting }),
        ...(options.azure === undefined ? {} : { azure: options.azure }),
      },
    },
    models: [
      {
        id: 'acme/chat-1',
        name: 'Acme: Chat 1',
        created: 1_750_000_000,
        endpoints: [
          {
            provider: 'acme',
            upstreamModel: options.upstreamModel ?? 'chat-1-2025-06-01',
            pricing: { prompt: '0.15', completion: '0.6' },
            contextLength: 128_000,
            maxCompletionTokens: 16_384,
            supportedParameters: options.supportedParameters ?? ['max_tokens', 'temperature', 'tools', 'tool_choice'],
          },
        ],
      },
    ],
  });
  const endpoint = catalog.endpoints[0];
  if (endpoint === undefined) throw new Error('test catalog has no endpoint');
  return endpoint;
}

export function chatCall(overrides: Omit<Partial<ProviderCall>, 'request'> & { request?: Partial<ChatWireRequest> } = {}): ProviderCall {
  const { request, ...rest } = overrides;
  return {
    request: chatRequest.parse({ model: 'acme/chat-1', messages: [{ role: 'user', content: 'Hello' }], ...request }),
    endpoint: openaiEndpoint(),
    stream: true,
    maxTokens: 1024,
    credential: 'sk-test-0123456789',
    signal: new AbortController().signal,
    fetch: (input, init) => fetch(input, init),
    ...rest,
  };
}

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export const usage = (promptTokens: number, completionTokens: number, more: Partial<Usage> = {}): Usage => ({
  promptTokens,
  completionTokens,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...more,
});

/** Events folded into what a reader of the reply sees, with delta counts kept. */
export interface EventSummary {
  upstreamId: string | undefined;
  systemFingerprint: string | undefined;
  text: string;
  textDeltas: number;
  refusal: string;
  reasoning: string;
  toolCalls: { index: number; id: string; name: string; arguments: string }[];
  argumentDeltas: number;
  last: StreamEvent | undefined;
}

export function summarize(events: readonly StreamEvent[]): EventSummary {
  const summary: EventSummary = {
    upstreamId: undefined,
    systemFingerprint: undefined,
    text: '',
    textDeltas: 0,
    refusal: '',
    reasoning: '',
    toolCalls: [],
    argumentDeltas: 0,
    last: events.at(-1),
  };
  for (const event of events) {
    switch (event.type) {
      case 'start':
        summary.upstreamId = event.upstreamId;
        summary.systemFingerprint = event.systemFingerprint;
        break;
      case 'text':
        summary.text += event.text;
        summary.textDeltas += 1;
        break;
      case 'refusal':
        summary.refusal += event.text;
        break;
      case 'reasoning':
        summary.reasoning += event.text;
        break;
      case 'tool-call-start':
        summary.toolCalls.push({ index: event.index, id: event.id, name: event.name, arguments: '' });
        break;
      case 'tool-call-delta': {
        const call = summary.toolCalls.find((candidate) => candidate.index === event.index);
        if (call === undefined) throw new Error(`tool-call-delta for unstarted call ${event.index}`);
        call.arguments += event.arguments;
        summary.argumentDeltas += 1;
        break;
      }
      case 'reasoning-signature':
      case 'reasoning-encrypted':
      case 'finish':
      case 'error':
        break;
    }
  }
  return summary;
}

/** What every event sequence from the adapter must satisfy. */
export function expectWellFormed(events: readonly StreamEvent[]): void {
  const terminal = events.filter((event) => event.type === 'finish' || event.type === 'error');
  expect(terminal).toHaveLength(1);
  expect(events.at(-1)).toBe(terminal[0]);
  const starts = events.filter((event) => event.type === 'start');
  expect(starts.length).toBeLessThanOrEqual(1);
  if (starts.length === 1) expect(events[0]).toBe(starts[0]);
  const startedIndexes = events.flatMap((event) => (event.type === 'tool-call-start' ? [event.index] : []));
  expect(startedIndexes).toEqual(startedIndexes.map((_, position) => position));
}

export function finish(reason: FinishReason, nativeReason: string | null, reported: Usage | undefined): StreamEvent {
  return { type: 'finish', reason, nativeReason, usage: reported };
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: Uint8Array | string;
  /** How many writes the body is cut into (at uneven offsets, so some fall inside UTF-8 characters). */
  pieces?: number;
  /** Destroy the connection after this many body bytes instead of ending the reply. */
  dropAfterBytes?: number;
  /** Write this many bytes, then hold the reply open until the client goes away. */
  holdAfterBytes?: number;
}

export type { ReceivedRequest } from '../../support/loopback-upstream.ts';

export interface ReplayServer {
  url: string;
  requests: ReceivedRequest[];
  /** The reply the next requests get. */
  reply(reply: Reply): void;
  close(): Promise<void>;
}

/** The one loopback upstream (test/support/loopback-upstream.ts), fed recorded bytes in several writes. */
export async function startReplayServer(): Promise<ReplayServer> {
  const upstream = await startLoopbackUpstream();
  return {
    url: upstream.url,
    requests: upstream.requests,
    reply: (reply) => {
      const body = typeof reply.body === 'string' ? new TextEncoder().encode(reply.body) : reply.body;
      const limit = reply.dropAfterBytes ?? reply.holdAfterBytes ?? body.length;
      upstream.reply({
        status: reply.status,
        headers: reply.headers,
        pieces: splitBytes(body.subarray(0, Math.min(limit, body.length)), reply.pieces ?? 5),
        then: reply.dropAfterBytes !== undefined ? 'drop' : reply.holdAfterBytes !== undefined ? 'hold' : 'end',
      });
    },
    close: () => upstream.close(),
  };
}

/** Cut bytes into `pieces` parts at uneven offsets. */
export function splitBytes(bytes: Uint8Array, pieces: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (let piece = 1; piece < pieces; piece += 1) {
    const end = Math.min(bytes.length, Math.floor((bytes.length * piece) / pieces) + (piece % 3));
    if (end > offset) out.push(bytes.subarray(offset, end));
    offset = Math.max(offset, end);
  }
  if (offset < bytes.length) out.push(bytes.subarray(offset));
  return out;
}
