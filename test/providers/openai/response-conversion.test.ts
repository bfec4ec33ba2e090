import { describe, expect, it } from 'vitest';
import { convertResponse } from '../../../lib/providers/openai/response-conversion.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { finish, usage } from './support.ts';

const PROVIDER = 'Acme AI';
const convert = (body: unknown): StreamEvent[] => convertResponse(body, { provider: PROVIDER });

describe('convertResponse', () => {
  it('joins content given as parts', () => {
    const events = convert({
      id: 'chatcmpl-P1',
      choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'text', text: 'Bon' }, { type: 'text', text: 'jour' }] }, finish_reason: 'stop' }],
    });
    expect(events).toEqual([{ type: 'start', upstreamId: 'chatcmpl-P1' }, { type: 'text', text: 'Bonjour' }, finish('stop', 'stop', undefined)]);
  });

  it('reads reasoning from message.reasoning (Groq, OpenRouter-style hosts)', () => {
    const events = convert({
      id: 'chatcmpl-R1',
      system_fingerprint: 'fp_r1',
      choices: [{ index: 0, message: { content: 'Hi!', reasoning: 'Greet back.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 12, completion_tokens_details: { reasoning_tokens: 8 } },
    });
    expect(events).toEqual([
      { type: 'start', upstreamId: 'chatcmpl-R1', systemFingerprint: 'fp_r1' },
      { type: 'reasoning', text: 'Greet back.', format: 'unknown', block: 0 },
      { type: 'text', text: 'Hi!' },
      finish('stop', 'stop', usage(9, 12, { reasoningTokens: 8 })),
    ]);
  });

  it('treats a reply without finish_reason as a normal stop with no native reason', () => {
    const events = convert({ id: 'x', choices: [{ index: 0, message: { content: 'ok' }, finish_reason: null }] });
    expect(events.at(-1)).toEqual(finish('stop', null, undefined));
  });

  it('gives tool calls without ids an id, and maps function_call', () => {
    const events = convert({
      id: 'x',
      choices: [{ index: 0, message: { content: null, tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'function_call' }],
    });
    expect(events.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      finish('tool_calls', 'function_call', undefined),
    ]);
  });

  it.each([
    ['"not an object"', 'Provider sent a malformed response'],
    ['{"choices":"many"}', 'Provider sent a malformed response'],
    ['{"id":"x","choices":[]}', 'Provider sent a response with no choices'],
  ])('%s is a retryable 502 error event', (body, message) => {
    const [event, ...rest] = convertResponse(JSON.parse(body), { provider: PROVIDER });
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'error', error: { status: 502, type: 'provider_unavailable', retryable: true, message } });
  });

  it('an error body sent with status 200 is mapped like an error reply', () => {
    const [event] = convert({ error: { message: 'Invalid schema for function', type: 'invalid_request_error', code: 400 } });
    expect(event).toMatchObject({ type: 'error', error: { status: 400, type: 'invalid_request', message: 'Invalid schema for function' } });
  });
});
