import { describe, expect, it } from 'vitest';
import { streamConversion } from '../../../lib/providers/anthropic/stream-conversion.ts';
import type { AnthropicStreamEvent } from '../../../lib/providers/anthropic/wire-schemas.ts';
import { convertFrames } from '../../../lib/providers/upstream-stream.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import type { SseMessage } from '../../../lib/streaming/sse-decode.ts';

const provider = 'Anthropic';
const format = 'anthropic-claude-v1';

const context = { provider };
const message = (data: string): SseMessage => ({ data, event: undefined, id: undefined });

/** Feeds upstream events, as SSE data, through the pure state machine. */
function run(upstream: AnthropicStreamEvent[]): StreamEvent[] {
  return convertFrames(streamConversion, upstream.map((event) => message(JSON.stringify(event))), context);
}

function drive(data: string[]): StreamEvent[] {
  return convertFrames(streamConversion, data.map(message), context);
}

const usage = (input: number, output: number, cacheWrite = 0, cacheRead = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: cacheWrite,
  cache_read_input_tokens: cacheRead,
});
const messageStart = (id: string, start = usage(10, 1)): AnthropicStreamEvent => ({ type: 'message_start', message: { id, usage: start } });
const messageDelta = (stopReason: string, counts: ReturnType<typeof usage> | { output_tokens: number }): AnthropicStreamEvent => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason },
  usage: counts,
});
const messageStop: AnthropicStreamEvent = { type: 'message_stop' };
const textDelta = (index: number, text: string): AnthropicStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const jsonDelta = (index: number, partial: string): AnthropicStreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partial },
});
const blockStop = (index: number): AnthropicStreamEvent => ({ type: 'content_block_stop', index });

describe('the Anthropic stream conversion', () => {
  it('turns a text stream into start, text deltas and a finish with usage', () => {
    const events = run([
      messageStart('msg_1', usage(12, 1)),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      textDelta(0, 'Hel'),
      textDelta(0, ''),
      textDelta(0, 'lo'),
      blockStop(0),
      messageDelta('end_turn', usage(12, 5)),
      messageStop,
    ]);

    expect(events).toEqual([
      { type: 'start', upstreamId: 'msg_1' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'end_turn',
        usage: { promptTokens: 12, completionTokens: 5, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('counts tool calls among client tool calls only, skips server tools, and passes argument fragments through', () => {
    const events = run([
      messageStart('msg_2'),
      { type: 'content_block_start', index: 0, content_block: { type: 'other', name: 'server_tool_use' } },
      jsonDelta(0, '{"query": "x"}'),
      blockStop(0),
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'lookup', input: {} } },
      jsonDelta(1, ''),
      jsonDelta(1, '{"key": '),
      jsonDelta(1, '"a"}'),
      blockStop(1),
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} } },
      jsonDelta(2, ''),
      blockStop(2),
      messageDelta('tool_use', { output_tokens: 40 }),
      messageStop,
    ]);

    expect(events).toEqual([
      { type: 'start', upstreamId: 'msg_2' },
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, arguments: '{"key": ' },
      { type: 'tool-call-delta', index: 0, arguments: '"a"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'now' },
      // A tool without arguments streams none: clients get an empty object.
      { type: 'tool-call-delta', index: 1, arguments: '{}' },
      {
        type: 'finish',
        reason: 'tool_calls',
        nativeReason: 'tool_use',
        // message_delta carried only output_tokens (older replies): input comes from message_start.
        usage: { promptTokens: 10, completionTokens: 40, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('passes a tool input given whole at block start', () => {
    const events = run([
      messageStart('msg_3'),
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_c', name: 'f', input: { a: 1 } } },
      blockStop(0),
      messageDelta('tool_use', { output_tokens: 3 }),
      messageStop,
    ]);

    expect(events.filter((event) => event.type === 'tool-call-delta')).toEqual([{ type: 'tool-call-delta', index: 0, arguments: '{"a":1}' }]);
  });

  it('emits thinking as reasoning of its content block, then the signature, and redacted thinking as encrypted', () => {
    const events = run([
      messageStart('msg_4'),
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwKAhgB' } },
      blockStop(0),
      { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: 'Let me think.' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'signature_delta', signature: 'EqQBsig' } },
      blockStop(1),
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      textDelta(2, 'Answer.'),
      blockStop(2),
      messageDelta('end_turn', { output_tokens: 30 }),
      messageStop,
    ]);

    expect(events.slice(1, -1)).toEqual([
      { type: 'reasoning-encrypted', data: 'EmwKAhgB', format, block: 0 },
      { type: 'reasoning', text: 'Let me think.', format, block: 1 },
      { type: 'reasoning-signature', signature: 'EqQBsig', format, block: 1 },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('adds cache reads and writes to the prompt tokens, taking cumulative counts from message_delta', () => {
    const events = run([messageStart('msg_5', usage(3, 1, 2048, 0)), messageDelta('end_turn', usage(5, 20, 2100, 6000)), messageStop]);

    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      nativeReason: 'end_turn',
      usage: { promptTokens: 8105, completionTokens: 20, cachedTokens: 6000, cacheWriteTokens: 2100, reasoningTokens: 0 },
    });
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    ['tool_use', 'tool_calls'],
  ])('finishes %s as %s, keeping the native reason', (native, unified) => {
    const events = run([messageStart('msg_6'), messageDelta(native, { output_tokens: 1 }), messageStop]);

    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: unified, nativeReason: native });
  });

  it('ends with an error event on an upstream error event, and ignores what follows', () => {
    const events = run([
      messageStart('msg_7'),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      textDelta(0, 'Part'),
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      textDelta(0, ' never seen'),
      messageStop,
    ]);

    expect(events.map((event) => event.type)).toEqual(['start', 'text', 'error']);
    const last = events.at(-1);
    expect(last?.type === 'error' && [last.error.status, last.error.type, last.error.retryable, last.error.providerCode]).toEqual([
      503,
      'provider_overloaded',
      true,
      'overloaded_error',
    ]);
  });

  it('ends with a retryable 502 error when the stream stops before message_stop', () => {
    const events = run([messageStart('msg_8'), { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, textDelta(0, 'Cut')]);

    const last = events.at(-1);
    expect(events).toHaveLength(3);
    expect(last?.type === 'error' && [last.error.status, last.error.type, last.error.retryable]).toEqual([502, 'provider_unavailable', true]);
  });

  it('leaves the state it was given untouched', () => {
    const started = streamConversion.step(streamConversion.initial(context), message(JSON.stringify(messageStart('msg_9'))), context).state;
    const snapshot = structuredClone(started);
    const toolStart = message(JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } }));

    const first = streamConversion.step(started, toolStart, context);
    const second = streamConversion.step(started, toolStart, context);

    expect(started).toEqual(snapshot);
    expect(second).toEqual(first);
  });
});

describe('the Anthropic stream conversion over SSE data', () => {
  it('parses padded JSON and skips unknown event types', () => {
    const events = drive([
      '{"type":"message_start","message":{"id":"msg_p","usage":{"input_tokens":4,"output_tokens":1}}}      ',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}   }',
      '{"type": "ping"}',
      '{"type":"future_event","payload":{}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}        }',
      '{"type":"content_block_stop","index":0 }',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}',
      '{"type":"message_stop"   }',
    ]);

    expect(events).toEqual([
      { type: 'start', upstreamId: 'msg_p' },
      { type: 'text', text: 'Hi' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'end_turn',
        usage: { promptTokens: 4, completionTokens: 2, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('ends with one error event on malformed data', () => {
    const events = drive(['{"type":"message_start","message":{"id":"msg_m"}}', '{"type":"content_block_delta","index":0,', '{"type":"message_stop"}']);

    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
  });
});
