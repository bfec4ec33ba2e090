import { describe, expect, it } from 'vitest';
import { convertFinishReason } from '../../../lib/providers/gemini/finish-reason.ts';
import { generateContentResponse, type GenerateContentResponse } from '../../../lib/providers/gemini/wire-schemas.ts';
import { streamConversion } from '../../../lib/providers/gemini/stream-conversion.ts';
import { convertFrames } from '../../../lib/providers/upstream-stream.ts';
import type { SseMessage } from '../../../lib/streaming/sse-decode.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';

const provider = 'Google AI Studio';
const format = 'google-gemini-v1';

const context = { provider };
const message = (chunk: unknown): SseMessage => ({ data: JSON.stringify(chunk), event: undefined, id: undefined });

/** Run chunks (as Gemini sends them, one an SSE message) through the conversion, body end included. */
function run(chunks: unknown[]): StreamEvent[] {
  return convertFrames(streamConversion, chunks.map(message), context);
}

function chunk(parts: unknown[], extra: { finishReason?: string; usage?: Record<string, number> } = {}): GenerateContentResponse {
  return generateContentResponse.parse({
    candidates: [{ content: { parts, role: 'model' }, index: 0, ...(extra.finishReason ? { finishReason: extra.finishReason } : {}) }],
    ...(extra.usage ? { usageMetadata: extra.usage } : {}),
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-1',
  });
}

const start: StreamEvent = { type: 'start', upstreamId: 'resp-1' };

describe('Gemini stream conversion', () => {
  it('turns text parts into text events and ends with one finish carrying the latest usage', () => {
    const events = run([
      chunk([{ text: 'The capital' }], { usage: { promptTokenCount: 9, totalTokenCount: 9 } }),
      chunk([{ text: ' is Paris.' }], {
        finishReason: 'STOP',
        usage: { promptTokenCount: 9, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 34 },
      }),
    ]);
    expect(events).toEqual([
      start,
      { type: 'text', text: 'The capital' },
      { type: 'text', text: ' is Paris.' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'STOP',
        usage: { promptTokens: 9, completionTokens: 25, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 20 },
      },
    ]);
  });

  it('folds cached and tool-use prompt tokens into usage', () => {
    const events = run([
      chunk([{ text: 'ok' }], {
        finishReason: 'STOP',
        usage: { promptTokenCount: 2100, cachedContentTokenCount: 2048, toolUsePromptTokenCount: 15, candidatesTokenCount: 3 },
      }),
    ]);
    expect(events.at(-1)).toMatchObject({
      usage: { promptTokens: 2115, completionTokens: 3, cachedTokens: 2048, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('turns thoughts into one reasoning block closed by the signature on the answer', () => {
    const events = run([
      chunk([{ text: 'Weighing units. ', thought: true }]),
      chunk([{ text: 'Checking arithmetic.', thought: true }]),
      chunk([{ text: 'About 42.2 km', thoughtSignature: 'c2lnLTE=' }]),
      chunk([{ text: '.' }], { finishReason: 'STOP' }),
    ]);
    expect(events).toEqual([
      start,
      { type: 'reasoning', text: 'Weighing units. ', format, block: 0 },
      { type: 'reasoning', text: 'Checking arithmetic.', format, block: 0 },
      { type: 'reasoning-signature', signature: 'c2lnLTE=', format, block: 0 },
      { type: 'text', text: 'About 42.2 km' },
      { type: 'text', text: '.' },
      { type: 'finish', reason: 'stop', nativeReason: 'STOP', usage: undefined },
    ]);
  });

  it('starts a new reasoning block after an answer part, and gives a lone signature its own block', () => {
    const events = run([
      chunk([{ text: 'Plan A.', thought: true }, { text: 'Step one. ' }, { text: 'Plan B.', thought: true }]),
      chunk([{ functionCall: { name: 'lookup', args: {} }, thoughtSignature: 'c2lnLTI=' }], { finishReason: 'STOP' }),
    ]);
    expect(events).toEqual([
      start,
      { type: 'reasoning', text: 'Plan A.', format, block: 0 },
      { type: 'text', text: 'Step one. ' },
      { type: 'reasoning', text: 'Plan B.', format, block: 1 },
      { type: 'reasoning-signature', signature: 'c2lnLTI=', format, block: 1 },
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'STOP', usage: undefined },
    ]);
    const lone = run([chunk([{ functionCall: { name: 'lookup', args: { q: 1 } }, thoughtSignature: 'c2lnLTM=' }], { finishReason: 'STOP' })]);
    expect(lone[1]).toEqual({ type: 'reasoning-signature', signature: 'c2lnLTM=', format, block: 0 });
  });

  it('emits parallel function calls with synthesised ids, keeping ids Gemini gives', () => {
    const events = run([
      chunk(
        [
          { functionCall: { name: 'get_time', args: { timezone: 'Europe/Lisbon' } } },
          { functionCall: { id: 'fc-42', name: 'get_time', args: { timezone: 'Asia/Tokyo' } } },
        ],
        { finishReason: 'STOP' },
      ),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, arguments: '{"timezone":"Europe/Lisbon"}' },
      { type: 'tool-call-start', index: 1, id: 'fc-42', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, arguments: '{"timezone":"Asia/Tokyo"}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'STOP', usage: undefined },
    ]);
  });

  it('rebuilds Vertex streamed arguments (partialArgs) into one delta per call', () => {
    const fc = (functionCall: unknown) => chunk([{ functionCall }]);
    const events = run([
      chunk([{ functionCall: { name: 'book_table', willContinue: true }, thoughtSignature: 'c2lnLTQ=' }]),
      fc({ partialArgs: [{ jsonPath: '$.restaurant', stringValue: 'Cervejaria ', willContinue: true }], willContinue: true }),
      fc({ partialArgs: [{ jsonPath: '$.restaurant', stringValue: 'Ramiro' }], willContinue: true }),
      fc({ willContinue: true }),
      fc({ partialArgs: [{ jsonPath: '$.party.names[1]', stringValue: 'Rui' }, { jsonPath: '$.party.size', numberValue: 2 }], willContinue: true }),
      fc({}),
      fc({ name: 'notify', willContinue: true }),
      fc({ partialArgs: [{ jsonPath: '$.urgent', boolValue: true }], willContinue: true }),
      chunk([{ functionCall: {} }], { finishReason: 'STOP' }),
    ]);
    expect(events).toEqual([
      start,
      { type: 'reasoning-signature', signature: 'c2lnLTQ=', format, block: 0 },
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'book_table' },
      { type: 'tool-call-delta', index: 0, arguments: '{"restaurant":"Cervejaria Ramiro","party":{"names":[null,"Rui"],"size":2}}' },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'notify' },
      { type: 'tool-call-delta', index: 1, arguments: '{"urgent":true}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'STOP', usage: undefined },
    ]);
  });

  it('closes a streamed call left open when the stream finishes', () => {
    const events = run([
      chunk([{ functionCall: { name: 'notify', willContinue: true } }]),
      chunk([{ functionCall: { partialArgs: [{ jsonPath: '$.to', stringValue: 'ops' }], willContinue: true } }], { finishReason: 'STOP' }),
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'notify' },
      { type: 'tool-call-delta', index: 0, arguments: '{"to":"ops"}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'STOP', usage: undefined },
    ]);
  });

  it('skips empty text parts', () => {
    const events = run([chunk([{ text: '' }], { finishReason: 'STOP' })]);
    expect(events).toEqual([start, { type: 'finish', reason: 'stop', nativeReason: 'STOP', usage: undefined }]);
  });

  it('finishes with content_filter and the block reason when the prompt is blocked', () => {
    const events = run([
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 17, totalTokenCount: 17 }, responseId: 'resp-1' },
    ]);
    expect(events).toEqual([
      start,
      {
        type: 'finish',
        reason: 'content_filter',
        nativeReason: 'SAFETY',
        usage: { promptTokens: 17, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('reports usage as undefined when Gemini sent no token counts', () => {
    const events = run([{ ...chunk([{ text: 'x' }], { finishReason: 'STOP' }), usageMetadata: { trafficType: 'ON_DEMAND' } }]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', nativeReason: 'STOP', usage: undefined });
  });

  it('ends with a retryable 502 error when the stream stops without a finish reason', () => {
    const events = run([chunk([{ text: 'The first step is' }])]);
    expect(events.slice(0, 2)).toEqual([start, { type: 'text', text: 'The first step is' }]);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type !== 'error') return;
    expect(last.error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true, provider });
    expect(events.filter((event) => event.type === 'finish')).toEqual([]);
  });

  it('turns an error sent inside the stream into an error event and ignores what follows', () => {
    const events = run([
      chunk([{ text: 'Partial' }]),
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      chunk([{ text: 'more' }], { finishReason: 'STOP' }),
    ]);
    expect(events.slice(0, 2)).toEqual([start, { type: 'text', text: 'Partial' }]);
    expect(events.slice(2)).toHaveLength(1);
    expect(events[2]).toMatchObject({ type: 'error', error: { status: 503, retryable: true, providerCode: 'UNAVAILABLE' } });
  });

  it('emits exactly one finish even when chunks follow the finish reason', () => {
    const events = run([
      chunk([{ text: 'Done.' }], { finishReason: 'STOP' }),
      { usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2 }, responseId: 'resp-1' },
    ]);
    expect(events.filter((event) => event.type === 'finish')).toEqual([
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'STOP',
        usage: { promptTokens: 4, completionTokens: 2, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('maps MAX_TOKENS to length even after function calls', () => {
    const events = run([chunk([{ functionCall: { name: 'f', args: {} } }], { finishReason: 'MAX_TOKENS' })]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length', nativeReason: 'MAX_TOKENS', usage: undefined });
  });
});

describe('Gemini finish reasons', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['LANGUAGE', false, 'stop'],
    ['OTHER', false, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
  ] as const)('%s (tool calls: %s) → %s', (native, toolCalls, expected) => {
    expect(convertFinishReason(native, toolCalls)).toBe(expected);
  });
});
