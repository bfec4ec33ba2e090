// The /completions door without HTTP: the request → the canonical chat
// request, and canonical events → text_completion frames and body.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REASONING } from '../../lib/api/chat-request.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { DONE_FRAME } from '../../lib/doors/chat/stream-encoder.ts';
import { completionsDoor } from '../../lib/doors/completions/door.ts';
import type { StreamEvent } from '../../lib/streaming/events.ts';

const meta = { id: 'gen-1700000000-abcdefghijklmnopqrst', created: 1700000000, model: 'openai/gpt-4o-mini', provider: 'OpenAI' };
const view = { includeReasoning: true };
const billed = {
  usage: { promptTokens: 4, completionTokens: 2, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  cost: { promptMicros: 8, completionMicros: 8, totalMicros: 16 },
};
const events: StreamEvent[] = [
  { type: 'start', upstreamId: 'chatcmpl-1', systemFingerprint: 'fp_1' },
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' there' },
  { type: 'finish', reason: 'length', nativeReason: 'length', usage: billed.usage },
];

const parseFrames = (text: string): unknown[] =>
  text
    .split('\n\n')
    .filter((frame) => frame !== '' && frame !== 'data: [DONE]')
    .map((frame) => JSON.parse(frame.replace(/^data: /, '')) as unknown);

describe('the completions door', () => {
  it('turns the prompt into the one user message of a chat request, with the sampling fields', () => {
    const body = { model: 'a/b', prompt: ['Say hi'], max_tokens: 9, temperature: 0.5, top_p: 0.9, stop: '\n', n: 1, suffix: null, stream: true, user: 'u1' };
    expect(completionsDoor.decode(body, new Headers())).toEqual({
      stream: true,
      request: {
        model: 'a/b',
        messages: [{ role: 'user', content: 'Say hi' }],
        maxOutputTokens: 9,
        temperature: 0.5,
        top_p: 0.9,
        stop: '\n',
        user: 'u1',
        reasoning: DEFAULT_REASONING,
        extras: {},
      },
    });
  });

  it('encodes text deltas, the finish and the usage chunk as text_completion frames, then [DONE]', () => {
    const encoder = completionsDoor.streamEncoder(meta, view);
    const stream = encoder.open() + events.map((event) => encoder.encode(event)).join('') + encoder.close(billed);
    const envelope = { id: meta.id, provider: 'OpenAI', model: meta.model, object: 'text_completion', created: meta.created };
    expect(stream.endsWith(DONE_FRAME)).toBe(true);
    expect(parseFrames(stream)).toEqual([
      { ...envelope, choices: [{ index: 0, text: 'Hello', finish_reason: null, native_finish_reason: null, logprobs: null }] },
      { ...envelope, choices: [{ index: 0, text: ' there', finish_reason: null, native_finish_reason: null, logprobs: null }] },
      { ...envelope, choices: [{ index: 0, text: '', finish_reason: 'length', native_finish_reason: 'length', logprobs: null }] },
      { ...envelope, choices: [], usage: expect.objectContaining({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6, cost: 0.000016 }) as unknown },
    ]);
  });

  it('ends a failed stream with one error chunk carrying the usage billed so far, and [DONE]', () => {
    const encoder = completionsDoor.streamEncoder(meta, view);
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'OpenAI' });
    const text = encoder.fail(error, billed);
    expect(text.endsWith(DONE_FRAME)).toBe(true);
    const [frame] = parseFrames(text) as { error: { code: number; message: string }; choices: { finish_reason: string }[]; usage: unknown }[];
    expect(frame?.error).toMatchObject({ code: 502, message: 'Provider returned error (OpenAI)' });
    expect(frame?.choices[0]?.finish_reason).toBe('error');
    expect(frame?.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 2, cost: 0.000016 });
    // Nothing committed (every attempt failed after keep-alives): nothing billed, no usage.
    expect(parseFrames(completionsDoor.streamEncoder(meta, view).fail(error, undefined))[0]).not.toHaveProperty('usage');
  });

  it('assembles the same events into one text_completion object', () => {
    const assembler = completionsDoor.jsonAssembler(meta, view);
    for (const event of events) assembler.add(event);
    expect(JSON.parse(assembler.body(billed))).toMatchObject({
      id: meta.id,
      object: 'text_completion',
      provider: 'OpenAI',
      system_fingerprint: 'fp_1',
      choices: [{ text: 'Hello there', index: 0, logprobs: null, finish_reason: 'length', native_finish_reason: 'length' }],
      usage: { prompt_tokens: 4, completion_tokens: 2, cost: 0.000016 },
    });
  });
});
