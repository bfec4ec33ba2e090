import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { streamConversion } from '../../../lib/providers/openai/stream-conversion.ts';
import { convertFrames } from '../../../lib/providers/upstream-stream.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { expectWellFormed, finish, usage } from './support.ts';

const PROVIDER = 'Acme AI';

/** One chunk as OpenAI sends it, with the fields a test cares about. */
function chunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'chatcmpl-T1',
    object: 'chat.completion.chunk',
    created: 1_752_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_t1',
    choices,
    usage: null,
    ...extra,
  });
}
const delta = (value: Record<string, unknown>, finishReason: string | null = null): string =>
  chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
const usageChunk = (value: Record<string, unknown>): string => chunk([], { usage: value });
const context = { provider: PROVIDER };
const translate = (payloads: string[]): StreamEvent[] => convertFrames(streamConversion, payloads.map((data) => ({ data, event: undefined, id: undefined })), context);

function errorOf(events: StreamEvent[]): GatewayError {
  const last = events.at(-1);
  if (last?.type !== 'error') throw new Error(`expected an error event, got ${JSON.stringify(last)}`);
  return last.error;
}

describe('the OpenAI stream conversion', () => {
  it('turns a text stream into start, text deltas and one finish carrying the usage chunk', () => {
    const events = translate([
      delta({ role: 'assistant', content: '', refusal: null }),
      delta({ content: 'Hel' }),
      delta({ content: 'lo' }),
      delta({}, 'stop'),
      usageChunk({
        prompt_tokens: 1290,
        completion_tokens: 2,
        total_tokens: 1292,
        prompt_tokens_details: { cached_tokens: 1152, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      }),
      '[DONE]',
    ]);
    expect(events).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-T1', systemFingerprint: 'fp_t1' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      finish('stop', 'stop', usage(1290, 2, { cachedTokens: 1152 })),
    ]);
  });

  it('holds the finish reason until the usage chunk, and emits one finish carrying it', () => {
    const beforeUsage = [delta({ content: 'Hi' }), delta({}, 'length')];
    const events = translate([...beforeUsage, usageChunk({ prompt_tokens: 3, completion_tokens: 1 }), '[DONE]']);
    expect(events.filter((event) => event.type === 'finish')).toEqual([finish('length', 'length', usage(3, 1))]);
    // Without the usage chunk, the end of the body finishes the stream, with no usage.
    expect(translate(beforeUsage).at(-1)).toEqual(finish('length', 'length', undefined));
  });

  it('finishes without usage at [DONE] when the host sent none', () => {
    expect(translate([delta({ content: 'Hi' }), delta({}, 'stop'), '[DONE]'])).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-T1', systemFingerprint: 'fp_t1' },
      { type: 'text', text: 'Hi' },
      finish('stop', 'stop', undefined),
    ]);
  });

  it('finishes at the end of the body when a host sends no [DONE], using usage from the finish chunk', () => {
    const last = chunk([{ index: 0, delta: { content: '!' }, finish_reason: 'stop' }], {
      usage: { prompt_tokens: 18, completion_tokens: 29, total_tokens: 47 },
    });
    expect(translate([delta({ content: 'Hi' }), last])).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-T1', systemFingerprint: 'fp_t1' },
      { type: 'text', text: 'Hi' },
      { type: 'text', text: '!' },
      finish('stop', 'stop', usage(18, 29)),
    ]);
  });

  it('reads Groq usage from x_groq', () => {
    const last = chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], {
      x_groq: { id: 'req_1', usage: { prompt_tokens: 80, completion_tokens: 21, total_tokens: 101 } },
    });
    expect(translate([delta({ content: 'Hi' }), last, '[DONE]']).at(-1)).toEqual(finish('stop', 'stop', usage(80, 21)));
  });

  it('maps finish reasons and keeps the native one', () => {
    const finishOf = (reason: string): StreamEvent | undefined => translate([delta({ content: 'x' }), delta({}, reason), '[DONE]']).at(-1);
    expect(finishOf('tool_calls')).toEqual(finish('tool_calls', 'tool_calls', undefined));
    expect(finishOf('content_filter')).toEqual(finish('content_filter', 'content_filter', undefined));
    expect(finishOf('function_call')).toEqual(finish('tool_calls', 'function_call', undefined));
    expect(finishOf('eos')).toEqual(finish('stop', 'eos', undefined));
  });

  it('emits refusal deltas', () => {
    const events = translate([delta({ role: 'assistant', content: null, refusal: '' }), delta({ refusal: "I can't" }), delta({ refusal: ' help.' }), delta({}, 'stop'), '[DONE]']);
    expect(events.filter((event) => event.type === 'refusal')).toEqual([
      { type: 'refusal', text: "I can't" },
      { type: 'refusal', text: ' help.' },
    ]);
  });

  it('emits reasoning from delta.reasoning or delta.reasoning_content, once per delta', () => {
    const events = translate([
      delta({ reasoning: 'Think', reasoning_content: 'Think' }),
      delta({ reasoning_content: ' harder' }),
      delta({ content: 'Done' }),
      delta({}, 'stop'),
    ]);
    expect(events.slice(1, -1)).toEqual([
      { type: 'reasoning', text: 'Think', format: 'unknown', block: 0 },
      { type: 'reasoning', text: ' harder', format: 'unknown', block: 0 },
      { type: 'text', text: 'Done' },
    ]);
  });

  it('assembles parallel tool calls, including arguments in the first delta of a call', () => {
    const call = (value: Record<string, unknown>): string => delta({ tool_calls: [value] });
    const events = translate([
      delta({ role: 'assistant', content: null }),
      call({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }),
      call({ index: 0, function: { arguments: 'ty":"Paris"}' } }),
      call({ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }),
      call({ index: 1, function: { arguments: '{"tz":"CET"}' } }),
      delta({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 10, completion_tokens: 20 }),
      '[DONE]',
    ]);
    expect(events).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-T1', systemFingerprint: 'fp_t1' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"ci' },
      { type: 'tool-call-delta', index: 0, arguments: 'ty":"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, arguments: '{"tz":"CET"}' },
      finish('tool_calls', 'tool_calls', usage(10, 20)),
    ]);
  });

  it('handles several calls in one delta, whole calls without index, and calls without ids', () => {
    const events = translate([
      delta({
        tool_calls: [
          { index: 0, id: 'call_a', function: { name: 'a', arguments: '{}' } },
          { index: 1, id: 'call_b', function: { name: 'b', arguments: '{"x":1}' } },
        ],
      }),
      // Hosts that stream calls whole sometimes leave out `index`, or even `id`.
      delta({ tool_calls: [{ id: 'call_c', function: { name: 'c', arguments: '{' } }] }),
      delta({ tool_calls: [{ function: { arguments: '}' } }] }),
      delta({ tool_calls: [{ index: 7, function: { name: 'd', arguments: '{}' } }] }),
      delta({}, 'tool_calls'),
    ]);
    expect(events.slice(1, -1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'a' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
      { type: 'tool-call-delta', index: 1, arguments: '{"x":1}' },
      { type: 'tool-call-start', index: 2, id: 'call_c', name: 'c' },
      { type: 'tool-call-delta', index: 2, arguments: '{' },
      { type: 'tool-call-delta', index: 2, arguments: '}' },
      { type: 'tool-call-start', index: 3, id: 'call_3', name: 'd' },
      { type: 'tool-call-delta', index: 3, arguments: '{}' },
    ]);
  });

  it('does not restart a call whose later deltas repeat its id and name', () => {
    const events = translate([
      delta({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{"q"' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: ':1}' } }] }),
      delta({}, 'tool_calls'),
    ]);
    expect(events.filter((event) => event.type === 'tool-call-start')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'tool-call-delta').map((event) => (event.type === 'tool-call-delta' ? event.arguments : ''))).toEqual(['{"q"', ':1}']);
  });

  it('follows only the first choice', () => {
    const events = translate([
      chunk([
        { index: 1, delta: { content: 'other' }, finish_reason: null },
        { index: 0, delta: { content: 'mine' }, finish_reason: null },
      ]),
      delta({}, 'stop'),
    ]);
    expect(events.filter((event) => event.type === 'text')).toEqual([{ type: 'text', text: 'mine' }]);
  });

  it('ignores empty data frames and unknown fields', () => {
    const events = translate(['', delta({ content: 'a', audio: { id: 'x' } }, null), delta({}, 'stop'), '[DONE]']);
    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'finish']);
  });

  describe('failures', () => {
    it('a stream that ends without a finish reason is an error, retryable only before content', () => {
      const afterContent = translate([delta({ content: 'Once upon' })]);
      expect(afterContent.map((event) => event.type)).toEqual(['start', 'text', 'error']);
      const error = errorOf(afterContent);
      expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: false, provider: PROVIDER });
      expect(error.message).toBe('Provider sent a stream that ended before finishing');

      const beforeContent = translate([delta({ role: 'assistant', content: '' }), '[DONE]']);
      expect(beforeContent.map((event) => event.type)).toEqual(['start', 'error']);
      expect(errorOf(beforeContent).retryable).toBe(true);

      expect(errorOf(translate([])).retryable).toBe(true);
    });

    it('a frame that is not JSON is a 502 error that does not echo the frame, and ends the events', () => {
      const events = translate([delta({ content: 'Good' }), '{"choices":[{"delta":{"content":"secret', delta({ content: 'more' }), delta({}, 'stop')]);
      expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
      const error = errorOf(events);
      expect(error).toMatchObject({ status: 502, type: 'provider_unavailable' });
      expect(error.message).not.toContain('secret');
    });

    it('JSON that is not a chunk is malformed too', () => {
      expect(errorOf(translate(['{"choices":"nope"}'])).status).toBe(502);
      expect(errorOf(translate(['42'])).status).toBe(502);
    });

    it('an error object in the stream is mapped like an error body', () => {
      const serverError = translate([
        delta({ content: 'Let' }),
        JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }),
      ]);
      expect(serverError.map((event) => event.type)).toEqual(['start', 'text', 'error']);
      const error = errorOf(serverError);
      expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'server_error' });
      expect(error.publicMessage).toBe('Provider returned error (Acme AI)');

      const rateLimited = errorOf(translate([JSON.stringify({ error: { message: 'Slow down', type: 'rate_limit_error', code: 429 } })]));
      expect(rateLimited).toMatchObject({ status: 429, type: 'rate_limit_exceeded', retryable: true, message: 'Slow down' });
    });

    it('emits nothing after the terminal event', () => {
      // Fed on past the error, as a careless driver would: nothing more comes out.
      let state = streamConversion.initial(context);
      const events: StreamEvent[] = [];
      for (const data of [delta({ content: 'a' }), 'not json', delta({ content: 'b' }), delta({}, 'stop')]) {
        const step = streamConversion.step(state, { data, event: undefined, id: undefined }, context);
        state = step.state;
        events.push(...step.events);
      }
      events.push(...streamConversion.end(state, context));
      expectWellFormed(events);
      expect(events.at(-1)?.type).toBe('error');
    });
  });
});
