// The Messages door's way out, as pure functions: arrays of canonical events
// in, the exact SSE frames or JSON body out (STYLE 5).
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../lib/api/errors.ts';
import { messagesDoor } from '../../lib/doors/messages/door.ts';
import { emptyUsage, type StreamEvent, type Usage } from '../../lib/streaming/events.ts';
import type { BilledUsage } from '../../lib/pipeline/door.ts';

const meta = { id: 'gen-1700000000-abcdefghijklmnopqrst', created: 1700000000, model: 'openai/gpt-4o-mini', provider: 'OpenAI' };
const shown = { includeReasoning: true };
const usage: Usage = { promptTokens: 120, completionTokens: 30, cachedTokens: 80, cacheWriteTokens: 15, reasoningTokens: 10 };
const billed: BilledUsage = { usage, cost: { promptMicros: 1, completionMicros: 2, totalMicros: 3 } };
const wireUsage = { input_tokens: 25, cache_creation_input_tokens: 15, cache_read_input_tokens: 80, output_tokens: 30 };
const FORMAT = 'anthropic-claude-v1';

/** The frames as [event name, data], each checked to be one well-formed SSE event. */
function frames(text: string): [string, unknown][] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine?.startsWith('event: ')).toBe(true);
      expect(dataLine?.startsWith('data: ')).toBe(true);
      const data = JSON.parse((dataLine ?? '').slice(6)) as { type: string };
      expect(data.type).toBe(eventLine?.slice(7));
      return [data.type, data];
    });
}

function stream(events: StreamEvent[], view = shown): [string, unknown][] {
  const encoder = messagesDoor.streamEncoder(meta, view);
  let text = encoder.open();
  for (const event of events) text += event.type === 'error' ? encoder.fail(event.error, undefined) : encoder.encode(event);
  if (events.at(-1)?.type === 'finish') text += encoder.close(billed);
  return frames(text);
}

const messageStart = [
  'message_start',
  {
    type: 'message_start',
    message: {
      id: meta.id,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    },
  },
];
const start = (index: number, block: unknown) => ['content_block_start', { type: 'content_block_start', index, content_block: block }];
const delta = (index: number, value: unknown) => ['content_block_delta', { type: 'content_block_delta', index, delta: value }];
const stop = (index: number) => ['content_block_stop', { type: 'content_block_stop', index }];
const ending = (reason: string) => [
  ['message_delta', { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: wireUsage }],
  ['message_stop', { type: 'message_stop' }],
];
const finish = (reason: 'stop' | 'length' | 'tool_calls' | 'content_filter', nativeReason: string | null): StreamEvent => ({ type: 'finish', reason, nativeReason, usage });

describe('MessagesStreamEncoder', () => {
  it('streams text as one text block between message_start and message_stop, usage in message_delta', () => {
    expect(stream([{ type: 'start', upstreamId: 'chatcmpl-1' }, { type: 'text', text: 'Hel' }, { type: 'text', text: 'lo "you"' }, finish('stop', 'stop')])).toEqual([
      messageStart,
      start(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Hel' }),
      delta(0, { type: 'text_delta', text: 'lo "you"' }),
      stop(0),
      ...ending('end_turn'),
    ]);
  });

  it('streams thinking (thinking_delta, signature_delta), then text, then a tool call (input_json_delta)', () => {
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'Let me ', format: FORMAT, block: 0 },
      { type: 'reasoning', text: 'think', format: FORMAT, block: 0 },
      { type: 'reasoning-signature', signature: 'EqQBCkYI', format: FORMAT, block: 0 },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_01', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
      { type: 'tool-call-delta', index: 0, arguments: '"Oslo"}' },
      finish('tool_calls', 'tool_use'),
    ];
    expect(stream(events)).toEqual([
      messageStart,
      start(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Let me ' }),
      delta(0, { type: 'thinking_delta', thinking: 'think' }),
      delta(0, { type: 'signature_delta', signature: 'EqQBCkYI' }),
      stop(0),
      start(1, { type: 'text', text: '' }),
      delta(1, { type: 'text_delta', text: 'Checking.' }),
      stop(1),
      start(2, { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} }),
      delta(2, { type: 'input_json_delta', partial_json: '{"city":' }),
      delta(2, { type: 'input_json_delta', partial_json: '"Oslo"}' }),
      stop(2),
      ...ending('tool_use'),
    ]);
  });

  it('opens a new thinking block per reasoning block, and gives redacted thinking a whole block of its own', () => {
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'one', format: FORMAT, block: 0 },
      { type: 'reasoning-encrypted', data: 'EmwKAhgB', format: FORMAT, block: 1 },
      { type: 'reasoning', text: 'two', format: FORMAT, block: 2 },
      finish('stop', 'end_turn'),
    ];
    expect(stream(events)).toEqual([
      messageStart,
      start(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'one' }),
      stop(0),
      start(1, { type: 'redacted_thinking', data: 'EmwKAhgB' }),
      stop(1),
      start(2, { type: 'thinking', thinking: '', signature: '' }),
      delta(2, { type: 'thinking_delta', thinking: 'two' }),
      stop(2),
      ...ending('end_turn'),
    ]);
  });

  it('hides thinking text when reasoning is excluded, but still sends the signature in its block', () => {
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'secret', format: FORMAT, block: 0 },
      { type: 'reasoning-signature', signature: 'sig', format: FORMAT, block: 0 },
      { type: 'text', text: 'Hi' },
      finish('stop', 'end_turn'),
    ];
    expect(stream(events, { includeReasoning: false })).toEqual([
      messageStart,
      start(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'signature_delta', signature: 'sig' }),
      stop(0),
      start(1, { type: 'text', text: '' }),
      delta(1, { type: 'text_delta', text: 'Hi' }),
      stop(1),
      ...ending('end_turn'),
    ]);
  });

  it('streams parallel tool calls as blocks in turn; a late argument fragment goes to its own block', () => {
    const events: StreamEvent[] = [
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'tool-call-delta', index: 1, arguments: '' },
      { type: 'tool-call-delta', index: 1, arguments: '{"x":1}' },
      finish('tool_calls', 'tool_calls'),
    ];
    expect(stream(events)).toEqual([
      messageStart,
      start(0, { type: 'tool_use', id: 'call_a', name: 'a', input: {} }),
      stop(0),
      start(1, { type: 'tool_use', id: 'call_b', name: 'b', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{}' }),
      delta(1, { type: 'input_json_delta', partial_json: '{"x":1}' }),
      stop(1),
      ...ending('tool_use'),
    ]);
  });

  it.each([
    ['stop', 'stop', 'end_turn'],
    ['stop', 'stop_sequence', 'stop_sequence'],
    ['stop', 'STOP', 'end_turn'],
    ['length', 'length', 'max_tokens'],
    ['length', 'max_tokens', 'max_tokens'],
    ['length', 'model_context_window_exceeded', 'model_context_window_exceeded'],
    ['tool_calls', 'tool_calls', 'tool_use'],
    ['content_filter', 'content_filter', 'refusal'],
    ['content_filter', 'refusal', 'refusal'],
    ['stop', 'pause_turn', 'pause_turn'],
    // A native word that disagrees with the unified reason is not trusted.
    ['length', 'end_turn', 'max_tokens'],
  ] as const)('maps finish %s (native %s) to stop_reason %s', (reason, native, expected) => {
    expect(stream([{ type: 'text', text: 'x' }, finish(reason, native)]).at(-2)).toEqual([
      'message_delta',
      { type: 'message_delta', delta: { stop_reason: expected, stop_sequence: null }, usage: wireUsage },
    ]);
  });

  it('reports input tokens without the cache reads and writes, which Anthropic counts beside them', () => {
    const encoder = messagesDoor.streamEncoder(meta, shown);
    encoder.encode(finish('stop', null));
    const plain = { usage: { ...emptyUsage(), promptTokens: 7, completionTokens: 3 }, cost: billed.cost };
    expect(frames(encoder.close(plain))[0]).toEqual([
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 },
      },
    ]);
  });

  it('ends a stream that fails after it began with one error event, in Anthropic error shape, masking provider internals', () => {
    const failure = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'socket hang up at 10.0.0.5', provider: 'OpenAI' });
    expect(stream([{ type: 'text', text: 'Hel' }, { type: 'error', error: failure }])).toEqual([
      messageStart,
      start(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Hel' }),
      ['error', { type: 'error', error: { type: 'api_error', message: 'Provider returned error (OpenAI)' } }],
    ]);
  });

  it('puts the usage billed so far in a message_delta (no stop reason) just before the error, where the wire has a place for it', () => {
    const encoder = messagesDoor.streamEncoder(meta, shown);
    encoder.open();
    encoder.encode({ type: 'text', text: 'Hel' });
    const failure = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'OpenAI' });
    expect(frames(encoder.fail(failure, billed))).toEqual([
      ['message_delta', { type: 'message_delta', delta: { stop_reason: null, stop_sequence: null }, usage: wireUsage }],
      ['error', { type: 'error', error: { type: 'api_error', message: 'Provider returned error (OpenAI)' } }],
    ]);
  });

  it('sends Anthropic pings as keep-alives', () => {
    expect(frames(messagesDoor.keepAliveFrame)).toEqual([['ping', { type: 'ping' }]]);
  });
});

function assemble(events: StreamEvent[], view = shown): unknown {
  const assembler = messagesDoor.jsonAssembler(meta, view);
  for (const event of events) assembler.add(event);
  return JSON.parse(assembler.body(billed));
}

describe('MessageAssembler', () => {
  it('assembles an Anthropic message with the same blocks a stream has', () => {
    const events: StreamEvent[] = [
      { type: 'start', upstreamId: 'msg_1' },
      { type: 'reasoning', text: 'Let me ', format: FORMAT, block: 0 },
      { type: 'reasoning', text: 'think', format: FORMAT, block: 0 },
      { type: 'reasoning-signature', signature: 'EqQBCkYI', format: FORMAT, block: 0 },
      { type: 'reasoning-encrypted', data: 'EmwKAhgB', format: FORMAT, block: 1 },
      { type: 'text', text: 'Checking' },
      { type: 'text', text: '.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_01', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
      { type: 'tool-call-delta', index: 0, arguments: '"Oslo"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_02', name: 'get_time' },
      finish('tool_calls', 'tool_use'),
    ];
    expect(assemble(events)).toEqual({
      id: meta.id,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [
        { type: 'thinking', thinking: 'Let me think', signature: 'EqQBCkYI' },
        { type: 'redacted_thinking', data: 'EmwKAhgB' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } },
        { type: 'tool_use', id: 'toolu_02', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: wireUsage,
    });
  });

  it('gives tool arguments cut off mid-JSON an empty input, and a refusal as text with stop_reason refusal', () => {
    expect(
      assemble([
        { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
        { type: 'tool-call-delta', index: 0, arguments: '{"a":' },
        finish('length', 'length'),
      ]),
    ).toMatchObject({ content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }], stop_reason: 'max_tokens' });
    expect(assemble([{ type: 'refusal', text: 'I cannot help with that.' }, finish('content_filter', 'refusal')])).toMatchObject({
      content: [{ type: 'text', text: 'I cannot help with that.' }],
      stop_reason: 'refusal',
    });
  });

  it('answers Anthropic’s error body when the reply failed after the commit point', () => {
    const failure = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'Sim' });
    expect(assemble([{ type: 'text', text: 'partial' }, { type: 'error', error: failure }])).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Provider returned error (Sim)' },
      request_id: meta.id,
    });
  });
});

describe('errorReply', () => {
  it.each([
    [new GatewayError({ status: 400, type: 'invalid_request', message: 'Request is invalid: `max_tokens` is required' }), 'invalid_request_error'],
    [new GatewayError({ status: 400, type: 'context_length_exceeded', message: 'too long' }), 'invalid_request_error'],
    [new GatewayError({ status: 401, type: 'authentication', message: 'Unknown API key' }), 'authentication_error'],
    [new GatewayError({ status: 402, type: 'payment_required', message: 'Insufficient credits' }), 'billing_error'],
    [new GatewayError({ status: 403, type: 'permission_denied', message: 'This API key is disabled' }), 'permission_error'],
    [new GatewayError({ status: 404, type: 'not_found', message: 'No endpoints' }), 'not_found_error'],
    [new GatewayError({ status: 408, type: 'timeout', message: 'Timed out' }), 'timeout_error'],
    [new GatewayError({ status: 413, type: 'payload_too_large', message: 'Too large' }), 'request_too_large'],
    [new GatewayError({ status: 429, type: 'rate_limit_exceeded', message: 'Slow down' }), 'rate_limit_error'],
    [new GatewayError({ status: 503, type: 'provider_overloaded', message: 'Overloaded' }), 'overloaded_error'],
    [new GatewayError({ status: 502, type: 'provider_unavailable', message: 'All providers failed' }), 'api_error'],
    [new GatewayError({ status: 500, type: 'server', message: 'Internal error' }), 'api_error'],
  ])('renders %s as Anthropic’s %s with its own status', (error, type) => {
    const reply = messagesDoor.errorReply(error, { 'x-generation-id': 'gen-1' });
    expect(reply.status).toBe(error.status);
    expect(reply.headers).toMatchObject({ 'content-type': 'application/json', 'x-generation-id': 'gen-1' });
    expect(JSON.parse(reply.body as string)).toEqual({ type: 'error', error: { type, message: error.message }, request_id: 'gen-1' });
  });

  it('keeps the error’s own headers (Retry-After on a 429) and never shows a provider’s 5xx words', () => {
    const limited = new GatewayError({ status: 429, type: 'rate_limit_exceeded', message: 'Rate limit exceeded', retryAfterMs: 1500, headers: { 'x-ratelimit-limit': '10' } });
    expect(messagesDoor.errorReply(limited, {}).headers).toMatchObject({ 'retry-after': '2', 'x-ratelimit-limit': '10' });
    const upstream = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'upstream said: key sk-ant-123 invalid', provider: 'Anthropic' });
    expect(JSON.parse(messagesDoor.errorReply(upstream, {}).body as string)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Provider returned error (Anthropic)' },
      request_id: null,
    });
  });
});
