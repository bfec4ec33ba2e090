// Replays every recording in ../shared/fixtures/gemini (real Gemini and
// Vertex AI traffic) over loopback HTTP, byte for byte. When that directory
// is absent this file has no cases; test/fixtures/gemini covers the same
// ground on its own (adapter.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createGeminiAdapter } from '../../../lib/providers/gemini/index.ts';
import {
  collect,
  contentTypeFor,
  expectWellFormed,
  fixtureFiles,
  geminiCall,
  geminiEndpoint,
  readFixture,
  sharedFixtures,
  startUpstream,
  statusOf,
  summarize,
  usage,
  type Upstream,
} from './support.ts';

const geminiAdapter = createGeminiAdapter();

interface Expectation {
  finish?: { reason: string; nativeReason: string; usage: ReturnType<typeof usage> | undefined };
  toolCalls?: [name: string, args: string][];
  signatures?: number;
  rejects?: { status: number; type: string; retryable: boolean; providerCode: string; retryAfterMs?: number };
}

/** What the recordings known today must turn into. */
const known: Record<string, Expectation> = {
  'error-400-api-key-invalid.json': { rejects: { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'INVALID_ARGUMENT' } },
  'error-404.json': { rejects: { status: 404, type: 'not_found', retryable: false, providerCode: 'NOT_FOUND' } },
  'error-429.json': {
    rejects: { status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'RESOURCE_EXHAUSTED', retryAfterMs: 34_400 },
  },
  'error-500-internal.json': { rejects: { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'INTERNAL' } },
  'error-503-unavailable.json': { rejects: { status: 503, type: 'provider_overloaded', retryable: true, providerCode: 'UNAVAILABLE' } },
  'response-function-call.json': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(29, 908, 0, 893) },
    toolCalls: [['weather', '{"location":"San Francisco"}']],
    signatures: 1,
  },
  'response-max-tokens-no-parts.json': { finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(15, 2, 0, 2) } },
  'response-max-tokens.json': { finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(9, 48, 0, 38) } },
  'response-parallel-function-calls.json': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(70, 116, 0, 76) },
    toolCalls: [
      ['secret_retrieval_tool', '{"password":"mellon"}'],
      ['secret_retrieval_tool', '{"password":"radiance"}'],
    ],
    signatures: 1,
  },
  'response-prompt-blocked-vertex.json': { finish: { reason: 'content_filter', nativeReason: 'MODEL_ARMOR', usage: undefined } },
  'response-safety-block.json': { finish: { reason: 'content_filter', nativeReason: 'SAFETY', usage: usage(14, 0) } },
  'response-stop-sequence.json': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(25, 8) } },
  'response-text.json': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(3801, 142, 0, 110) } },
  'response-thoughts.json': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(30, 1890, 0, 1754) } },
  'stream-function-call-partial-args-vertex.sse': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(26, 155, 0, 132) },
    toolCalls: [
      ['getWeather', '{"location":"Boston"}'],
      ['getWeather', '{"location":"San Francisco"}'],
    ],
    signatures: 1,
  },
  'stream-function-call-thought-signature.sse': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(29, 212, 0, 202) },
    toolCalls: [['get_country', '{}']],
    signatures: 1,
  },
  'stream-function-call.sse': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(52, 5) },
    toolCalls: [['get_capital', '{"country":"France"}']],
    signatures: 0,
  },
  'stream-json-array-thought-and-function-call.json': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(32, 54, 0, 42) },
    toolCalls: [['pelican_name_generator', '{}']],
    signatures: 1,
  },
  'stream-max-tokens.sse': { finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(9, 48, 0, 38) } },
  'stream-parallel-function-calls.sse': {
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(70, 101, 0, 61) },
    toolCalls: [
      ['secret_retrieval_tool', '{"password":"mellon"}'],
      ['secret_retrieval_tool', '{"password":"radiance"}'],
    ],
    signatures: 1,
  },
  'stream-text.sse': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(13, 8) }, signatures: 0 },
  'stream-thoughts.sse': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(34, 1256, 0, 787) }, signatures: 1 },
  'stream-usage-metadata.sse': { finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(18, 115, 0, 35) } },
};

interface RawPart {
  text?: string;
  thought?: boolean;
}

/** The answer and thought text of a recording, read straight from its JSON. */
function textsOf(name: string): { text: string; reasoning: string } {
  const raw = readFixture(sharedFixtures, name).toString('utf8');
  const items: unknown[] = name.endsWith('.sse')
    ? raw
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice(5)) as unknown)
    : [JSON.parse(raw) as unknown].flat();
  let text = '';
  let reasoning = '';
  for (const item of items) {
    const parts = (item as { candidates?: { content?: { parts?: RawPart[] } }[] }).candidates?.[0]?.content?.parts ?? [];
    for (const part of parts) {
      if (part.thought === true) reasoning += part.text ?? '';
      else text += part.text ?? '';
    }
  }
  return { text, reasoning };
}

const upstreams: Upstream[] = [];
afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()));
});

// Without ../shared beside the repository, this suite has no cases and is not registered.
const sharedFiles = fixtureFiles(sharedFixtures);
if (sharedFiles.length > 0) describe('Gemini adapter over the shared recordings', () => {
  it.each(sharedFiles)('replays %s', async (name) => {
    const bytes = readFixture(sharedFixtures, name);
    const server = await startUpstream(() => ({ status: statusOf(name), contentType: contentTypeFor(name), chunks: [bytes] }));
    upstreams.push(server);
    const call = geminiCall(
      { messages: [{ role: 'user', content: 'Hello' }] },
      // Stream recordings answer a stream request; the JSON array one too (the adapter reads it).
      { endpoint: geminiEndpoint({ baseUrl: server.url }), stream: name.startsWith('stream-') },
    );
    const expectation = known[name];
    if (name.startsWith('error-')) {
      const error: unknown = await geminiAdapter.send(call).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GatewayError);
      if (expectation?.rejects !== undefined) expect(error).toMatchObject({ ...expectation.rejects, provider: 'Google AI Studio' });
      return;
    }
    const events = await collect(await geminiAdapter.send(call));
    expectWellFormed(events);
    const summary = summarize(events);
    expect({ text: summary.text, reasoning: summary.reasoning }).toEqual(textsOf(name));
    if (expectation === undefined) return;
    expect(summary.finish).toEqual(expectation.finish);
    expect(summary.toolCalls.map((toolCall) => [toolCall.name, toolCall.arguments])).toEqual(expectation.toolCalls ?? []);
    expect(summary.toolCalls.map((toolCall) => toolCall.id)).toEqual((expectation.toolCalls ?? []).map((_, index) => `call_${index}`));
    if (expectation.signatures !== undefined) expect(summary.signatures).toHaveLength(expectation.signatures);
  });
});
