// What the Gemini recordings must turn into: the repository's own fixtures
// (every file needs an entry) and the shared corpus (../shared/fixtures/gemini).
import { expect } from 'vitest';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { ownFixtures, readFixture, sharedFixtures, summarize, usage, type EventSummary } from './support.ts';

/** The first part's signature of the `frame`-th SSE frame (or array element) of a fixture. */
function signatureIn(name: string, frame: number, part = 0): string {
  const text = readFixture(ownFixtures, name).toString('utf8');
  const items: unknown[] = name.endsWith('.sse')
    ? text.split('\r\n\r\n').filter((item) => item !== '').map((item) => JSON.parse(item.replace(/^data: /, '')) as unknown)
    : [JSON.parse(text) as unknown].flat();
  const chunk = items[frame] as { candidates: { content: { parts: { thoughtSignature: string }[] } }[] };
  return chunk.candidates[0]?.content.parts[part]?.thoughtSignature as string;
}

const base = { upstreamId: undefined, text: '', reasoning: '', signatures: [], toolCalls: [] };
const call = (id: string, name: string, args: string) => ({ id, name, arguments: args });

/** What each of our own fixtures must turn into. Every fixture file needs an entry. */
export const ownExpectations: Record<string, EventSummary | { rejects: { status: number; retryable: boolean } }> = {
  'stream-text.sse': {
    ...base,
    upstreamId: 'q2tIaZGfHO6jxs0P4cS1yQ4',
    text: 'Lisbon sits on seven hills overlooking the Tagus estuary, and its trams still climb the steepest streets.',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(11, 46, 0, 27) },
  },
  'stream-thoughts.sse': {
    ...base,
    upstreamId: 'Yv9JafrxK4GnqtsP6ZKg0Q8',
    text: 'A marathon is about **42.2 km** (26.2 miles × 1.609344).',
    reasoning:
      '**Weighing the units**\n\nThe user wants miles converted to kilometres; one mile is 1.609344 km.\n\n' +
      '**Checking the arithmetic**\n\n26.2 times 1.609344 gives roughly 42.16.\n\n',
    signatures: [signatureIn('stream-thoughts.sse', 2)],
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(24, 164, 0, 143) },
  },
  'stream-function-call.sse': {
    ...base,
    upstreamId: 'A1tKaeyBD5ahxs0PkdmL-Qs',
    toolCalls: [call('call_0', 'get_weather', '{"city":"Porto","unit":"celsius"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(58, 8) },
  },
  'stream-function-call-thought-signature.sse': {
    ...base,
    upstreamId: 'kV1LafHsNJ-1qtsPwYy_6Aw',
    signatures: [signatureIn('stream-function-call-thought-signature.sse', 0)],
    toolCalls: [call('call_0', 'lookup_order', '{"order_id":"A-10442"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(41, 200, 0, 188) },
  },
  'stream-parallel-function-calls.sse': {
    ...base,
    upstreamId: 'bP5MaZ7UF4y4qtsPzqG8wQ0',
    signatures: [signatureIn('stream-parallel-function-calls.sse', 0)],
    toolCalls: [call('call_0', 'get_stock_price', '{"ticker":"ASML"}'), call('call_1', 'get_stock_price', '{"ticker":"NVDA"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(66, 86, 0, 52) },
  },
  'stream-max-tokens.sse': {
    ...base,
    upstreamId: 'Zf1NaYPzA9usqtsP3tG_kQg',
    text: 'The planets, in order from the Sun, are Mercury, Venus',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(12, 56, 0, 40) },
  },
  'stream-usage-metadata.sse': {
    ...base,
    upstreamId: 'x8BOaZfkH6a4qtsPrs3z4Q4',
    text: 'alpha\nbravo\ncharlie\ndelta\necho\nfoxtrot\ngolf',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(2115, 46, 2048, 30) },
  },
  'stream-function-call-partial-args-vertex.sse': {
    ...base,
    upstreamId: 'cNnPabKxEL3WodAP8fqXiA4',
    signatures: [signatureIn('stream-function-call-partial-args-vertex.sse', 0)],
    toolCalls: [
      call('call_0', 'book_table', '{"restaurant":"Cervejaria Ramiro","party":{"size":4,"names":["Ana","Rui"]},"outdoor":false}'),
      call('call_1', 'send_confirmation', '{"channel":"sms"}'),
    ],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(73, 175, 0, 144) },
  },
  'stream-json-array-thought-and-function-call.json': {
    ...base,
    upstreamId: 'Rk1PafOZLq2Y_uMPn5TmgQ4',
    reasoning: '**Planning the lookup**\n\nI should call `search_flights` for the requested route.\n\n',
    signatures: [signatureIn('stream-json-array-thought-and-function-call.json', 1)],
    toolCalls: [call('call_0', 'search_flights', '{"from":"LIS","to":"OPO"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(45, 52, 0, 38) },
  },
  'stream-prompt-blocked.sse': {
    ...base,
    upstreamId: 'pB9QafW3Mo2zqtsP0Z-IiQ0',
    finish: { reason: 'content_filter', nativeReason: 'SAFETY', usage: usage(17, 0) },
  },
  'stream-truncated.sse': {
    ...base,
    upstreamId: 'Jt1QaYDvNMa1qtsPpI7o8Qc',
    text: 'The first step is to preheat the oven',
    error: { status: 502, type: 'provider_unavailable', retryable: true },
  },
  'stream-error-chunk.sse': {
    ...base,
    upstreamId: 'u41RaZrPB8W6qtsPlKOD6Qk',
    text: 'Here is a summary of',
    error: { status: 503, type: 'provider_overloaded', retryable: true },
  },
  'response-text.json': {
    ...base,
    upstreamId: 'dL1SadGzA4u1qtsPmYbWuQ0',
    text: 'Photosynthesis turns light, water and carbon dioxide into glucose and oxygen.',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(14, 111, 0, 96) },
  },
  // Audio and image input counted apart in promptTokensDetails, cached audio in cacheTokensDetails; thoughts outside candidatesTokenCount.
  'response-audio-image-cached.json': {
    ...base,
    upstreamId: 'kQ3TaeN2B9yPqtsPxYv5mA4',
    text: 'The recording describes the chart: sales doubled in March.',
    finish: {
      reason: 'stop',
      nativeReason: 'STOP',
      usage: { ...usage(3104, 154, 2048, 141), audioPromptTokens: 1824, cachedAudioTokens: 1024, imagePromptTokens: 1258 },
    },
  },
  'response-thoughts.json': {
    ...base,
    upstreamId: 'cM1TabHiKfyrqtsPzpLV0Q4',
    text: 'There are **3** letters "r" in "strawberry".',
    reasoning: '**Counting the letters**\n\nS-T-R-A-W-B-E-R-R-Y has three r characters.\n',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(19, 225, 0, 212) },
  },
  'response-function-call.json': {
    ...base,
    upstreamId: 'fP1Uad6vIbmwxs0Pq9ip-QU',
    signatures: [signatureIn('response-function-call.json', 0)],
    toolCalls: [call('call_0', 'convert_currency', '{"amount":250,"from":"EUR","to":"JPY"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(33, 426, 0, 404) },
  },
  'response-parallel-function-calls.json': {
    ...base,
    upstreamId: 'Hq1VafqGL9KjqtsP4byKgAs',
    signatures: [signatureIn('response-parallel-function-calls.json', 0)],
    toolCalls: [call('call_0', 'get_time', '{"timezone":"Europe/Lisbon"}'), call('call_1', 'get_time', '{"timezone":"Asia/Tokyo"}')],
    finish: { reason: 'tool_calls', nativeReason: 'STOP', usage: usage(52, 98, 0, 70) },
  },
  'response-max-tokens.json': {
    ...base,
    upstreamId: 'Sb1WaY6XFeKpqtsPjK2f4Qs',
    text: 'The French Revolution began in 1789 when',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(10, 54, 0, 44) },
  },
  'response-max-tokens-no-parts.json': {
    ...base,
    upstreamId: 'gR1XaZrNLNG-qtsPmv2L-Qw',
    finish: { reason: 'length', nativeReason: 'MAX_TOKENS', usage: usage(21, 16, 0, 16) },
  },
  'response-safety-block.json': {
    ...base,
    upstreamId: 'aT1YaYi7D4WrqtsPzMmJ8A4',
    finish: { reason: 'content_filter', nativeReason: 'SAFETY', usage: usage(22, 0) },
  },
  'response-prompt-blocked.json': {
    ...base,
    upstreamId: 'rM1ZaaKCG7mxqtsPl8C46Ak',
    finish: { reason: 'content_filter', nativeReason: 'PROHIBITED_CONTENT', usage: usage(31, 0) },
  },
  'response-stop-sequence.json': {
    ...base,
    upstreamId: 'Wd1aaf2mOJiwqtsPsf6T0Q0',
    text: 'Step 1: rinse the rice. ',
    finish: { reason: 'stop', nativeReason: 'STOP', usage: usage(27, 9) },
  },
  'response-malformed-function-call.json': {
    ...base,
    upstreamId: 'Ee1baYKNO5qyqtsP2Y-T6Q4',
    finish: { reason: 'stop', nativeReason: 'MALFORMED_FUNCTION_CALL', usage: usage(61, 47, 0, 47) },
  },
  'error-400-api-key-invalid.json': { rejects: { status: 502, retryable: true } },
  'error-400-context-length.json': { rejects: { status: 400, retryable: false } },
  'error-400-failed-precondition.json': { rejects: { status: 502, retryable: true } },
  'error-400-invalid-argument.json': { rejects: { status: 400, retryable: false } },
  'error-403-permission-denied.json': { rejects: { status: 502, retryable: true } },
  'error-404.json': { rejects: { status: 404, retryable: false } },
  'error-429.json': { rejects: { status: 429, retryable: true } },
  'error-500-internal.json': { rejects: { status: 502, retryable: true } },
  'error-503-unavailable.json': { rejects: { status: 503, retryable: true } },
};


export interface Expectation {
  finish?: { reason: string; nativeReason: string; usage: ReturnType<typeof usage> | undefined };
  toolCalls?: [name: string, args: string][];
  signatures?: number;
  rejects?: { status: number; type: string; retryable: boolean; providerCode: string; retryAfterMs?: number };
}

/** What the recordings known today must turn into. */
export const sharedExpectations: Record<string, Expectation> = {
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


/** A shared recording's events against what is known of it, and its texts against the recording's own. */
export function checkShared(name: string, events: readonly StreamEvent[]): void {
  const summary = summarize(events);
  expect({ text: summary.text, reasoning: summary.reasoning }).toEqual(textsOf(name));
  const expectation = sharedExpectations[name];
  if (expectation === undefined) return;
  expect(summary.finish).toEqual(expectation.finish);
  expect(summary.toolCalls.map((toolCall) => [toolCall.name, toolCall.arguments])).toEqual(expectation.toolCalls ?? []);
  expect(summary.toolCalls.map((toolCall) => toolCall.id)).toEqual((expectation.toolCalls ?? []).map((_, index) => `call_${index}`));
  if (expectation.signatures !== undefined) expect(summary.signatures).toHaveLength(expectation.signatures);
}
