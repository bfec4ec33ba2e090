import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../lib/api/errors.ts';
import { ChunkEncoder, DONE_FRAME, KEEP_ALIVE_FRAME } from '../../lib/doors/chat/stream-encoder.ts';
import { CompletionAssembler } from '../../lib/doors/chat/json-assembler.ts';
import { emptyUsage, type StreamEvent } from '../../lib/streaming/events.ts';
import { wireUsage } from '../../lib/doors/chat/wire-usage.ts';

const meta = { id: 'gen-1700000000-abcdefghijklmnopqrst', created: 1700000000, model: 'openai/gpt-4o-mini', provider: 'OpenAI' };

function frames(events: StreamEvent[], includeReasoning = true): unknown[] {
  const encoder = new ChunkEncoder(meta, { includeReasoning });
  return events
    .map((event) => encoder.encode(event))
    .filter((frame) => frame !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      expect(frame.endsWith('\n\n')).toBe(true);
      return JSON.parse(frame.slice(6));
    });
}

const envelope = { id: meta.id, provider: 'OpenAI', model: 'openai/gpt-4o-mini', object: 'chat.completion.chunk', created: 1700000000 };
const choice = (delta: unknown, finish: string | null = null, native: string | null = null) => ({
  ...envelope,
  choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: native, logprobs: null }],
});

describe('ChunkEncoder', () => {
  it('encodes text as OpenRouter does, the role on the first chunk only', () => {
    expect(frames([{ type: 'start', upstreamId: 'x' }, { type: 'text', text: 'Hel' }, { type: 'text', text: 'lo "you"' }])).toEqual([
      choice({ role: 'assistant', content: 'Hel' }),
      choice({ content: 'lo "you"' }),
    ]);
  });

  it('encodes tool calls: id and name first, then argument fragments', () => {
    expect(
      frames([
        { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
        { type: 'tool-call-delta', index: 0, arguments: '"Oslo"}' },
        { type: 'finish', reason: 'tool_calls', nativeReason: 'tool_use', usage: undefined },
      ]),
    ).toEqual([
      choice({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      choice({}, 'tool_calls', 'tool_use'),
    ]);
  });

  it('hides reasoning text when excluded but always passes signatures', () => {
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'Let me think', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning-signature', signature: 'sig', format: 'anthropic-claude-v1', block: 0 },
      { type: 'text', text: 'Hi' },
    ];
    expect(frames(events)).toEqual([
      choice({ role: 'assistant', reasoning: 'Let me think', reasoning_details: [{ type: 'reasoning.text', text: 'Let me think', format: 'anthropic-claude-v1', index: 0 }] }),
      choice({ reasoning_details: [{ type: 'reasoning.text', text: '', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }] }),
      choice({ content: 'Hi' }),
    ]);
    expect(frames(events, false)).toEqual([
      choice({ role: 'assistant', reasoning_details: [{ type: 'reasoning.text', text: '', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }] }),
      choice({ content: 'Hi' }),
    ]);
  });

  it('ends with a usage chunk without choices, and an error chunk after a failure', () => {
    const encoder = new ChunkEncoder(meta, { includeReasoning: true });
    const usage = wireUsage({ ...emptyUsage(), promptTokens: 10, completionTokens: 5 }, { promptMicros: 2, completionMicros: 3, totalMicros: 5 });
    expect(JSON.parse(encoder.usage(usage).slice(6))).toEqual({ ...envelope, choices: [], usage });
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.000005 });
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'secret upstream detail', provider: 'OpenAI' });
    const errorChunk = JSON.parse(encoder.error(error).slice(6));
    expect(errorChunk).toEqual({
      ...envelope,
      error: { code: 502, message: 'Provider returned error (OpenAI)', metadata: { error_type: 'provider_unavailable', provider_name: 'OpenAI' } },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: null, logprobs: null }],
    });
    expect(DONE_FRAME).toBe('data: [DONE]\n\n');
    expect(KEEP_ALIVE_FRAME).toBe(': OPENROUTER PROCESSING\n\n');
  });

  it('ends a stream that failed past the commit point with the error chunk carrying the usage billed so far, then [DONE]', () => {
    const encoder = new ChunkEncoder(meta, { includeReasoning: true });
    const billed = { usage: { ...emptyUsage(), promptTokens: 10, completionTokens: 5 }, cost: { promptMicros: 2, completionMicros: 3, totalMicros: 5 } };
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'OpenAI' });
    const text = encoder.fail(error, billed);
    expect(text.endsWith(DONE_FRAME)).toBe(true);
    const errorChunk = JSON.parse(text.slice(6, -DONE_FRAME.length)) as Record<string, unknown>;
    expect(errorChunk).toMatchObject({ choices: [{ finish_reason: 'error' }], usage: wireUsage(billed.usage, billed.cost) });
    expect(errorChunk.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, cost: 0.000005 });
  });
});

describe('CompletionAssembler', () => {
  it('assembles the same events into one chat.completion', () => {
    const assembler = new CompletionAssembler(true);
    const events: StreamEvent[] = [
      { type: 'start', systemFingerprint: 'fp_1' },
      { type: 'reasoning', text: 'Hmm', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning-signature', signature: 'sig', format: 'anthropic-claude-v1', block: 0 },
      { type: 'text', text: 'Checking' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'a' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'tool-call-delta', index: 1, arguments: '{"x":1}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'tool_use', usage: undefined },
    ];
    for (const event of events) assembler.add(event);
    const usage = wireUsage(emptyUsage(), { promptMicros: 0, completionMicros: 0, totalMicros: 0 });
    expect(assembler.body(meta, usage)).toEqual({
      id: meta.id,
      provider: 'OpenAI',
      model: 'openai/gpt-4o-mini',
      object: 'chat.completion',
      created: 1700000000,
      system_fingerprint: 'fp_1',
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: 'tool_calls',
          native_finish_reason: 'tool_use',
          message: {
            role: 'assistant',
            content: 'Checking',
            refusal: null,
            reasoning: 'Hmm',
            reasoning_details: [{ type: 'reasoning.text', text: 'Hmm', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }],
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'a', arguments: '{}' } },
              { id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
            ],
          },
        },
      ],
      usage,
    });
  });

  it('reports a failure after partial output as finish_reason error with the error', () => {
    const assembler = new CompletionAssembler(true);
    assembler.add({ type: 'text', text: 'partial' });
    assembler.add({ type: 'error', error: new GatewayError({ status: 502, type: 'provider_unavailable', message: 'lost' }) });
    const body = assembler.body(meta, wireUsage(emptyUsage(), { promptMicros: 0, completionMicros: 0, totalMicros: 0 }));
    expect(body.choices).toMatchObject([{ finish_reason: 'error', message: { content: 'partial' }, error: { code: 502 } }]);
  });
});
