// Canonical events → Responses SSE frames and the `response` JSON body:
// pure translation, fed arrays of events, asserting the exact frames.
import { describe, expect, it } from 'vitest';
import { chatRequest, type ChatRequest } from '../../lib/api/chat-request.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { ResponseAssembler } from '../../lib/doors/responses/json-assembler.ts';
import { responsesDoor } from '../../lib/doors/responses/door.ts';
import { ResponsesStreamEncoder } from '../../lib/doors/responses/stream-encoder.ts';
import type { BilledUsage, ReplyView } from '../../lib/pipeline/door.ts';
import { emptyUsage, type StreamEvent } from '../../lib/streaming/events.ts';

const meta = { id: 'gen-1700000000-abcdefghijklmnopqrst', created: 1700000000, model: 'openai/gpt-4o-mini', provider: 'OpenAI' };
const request: ChatRequest = chatRequest.parse({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
const view: ReplyView = { includeReasoning: true, request };
const billed: BilledUsage = {
  usage: { ...emptyUsage(), promptTokens: 10, completionTokens: 5, cachedTokens: 4, reasoningTokens: 2 },
  cost: { promptMicros: 20, completionMicros: 20, totalMicros: 40 },
};
const suffix = '1700000000-abcdefghijklmnopqrst';

/** Every frame of one encoder run, parsed; each is `event: <type>` + `data:` with that type. */
function frames(events: StreamEvent[], options: { view?: ReplyView; close?: boolean } = {}): Record<string, unknown>[] {
  const encoder = new ResponsesStreamEncoder(meta, options.view ?? view);
  let text = encoder.open();
  for (const event of events) text += encoder.encode(event);
  if (options.close !== false) text += encoder.close(billed);
  return parse(text);
}

function parse(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const [eventLine = '', dataLine = '', ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine.startsWith('event: ')).toBe(true);
      expect(dataLine.startsWith('data: ')).toBe(true);
      const data = JSON.parse(dataLine.slice(6)) as Record<string, unknown>;
      expect(data.type).toBe(eventLine.slice(7));
      return data;
    });
}

/** The middle frames: without the opening pair and the closing response event. */
const middle = (all: Record<string, unknown>[]): Record<string, unknown>[] => all.slice(2, -1);
const msg = { item_id: `msg_${suffix}_0`, output_index: 0 };

describe('ResponsesStreamEncoder', () => {
  it('opens with response.created and response.in_progress, numbers every frame from 0, and ends with response.completed', () => {
    const all = frames([{ type: 'start', upstreamId: 'x' }, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop', nativeReason: 'stop', usage: undefined }]);
    expect(all.map((frame) => frame.sequence_number)).toEqual(all.map((_, index) => index));
    const created = all[0] as { type: string; response: Record<string, unknown> };
    expect(created.type).toBe('response.created');
    expect(created.response).toEqual({
      id: meta.id,
      object: 'response',
      created_at: 1700000000,
      status: 'in_progress',
      model: 'openai/gpt-4o-mini',
      provider: 'OpenAI',
      output: [],
      error: null,
      incomplete_details: null,
      instructions: null,
      metadata: {},
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      reasoning: null,
      text: { format: { type: 'text' }, verbosity: null },
      store: false,
      background: false,
      service_tier: 'auto',
      usage: null,
    });
    expect(all[1]).toEqual({ type: 'response.in_progress', response: created.response, sequence_number: 1 });
    const completed = all.at(-1) as { type: string; response: Record<string, unknown> };
    expect(completed.type).toBe('response.completed');
    expect(completed.response).toMatchObject({
      status: 'completed',
      output: [{ id: `msg_${suffix}_0`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [] }] }],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 15,
        cost: 0.00004,
        is_byok: false,
        cost_details: { upstream_inference_cost: 0.00004, upstream_inference_input_cost: 0.00002, upstream_inference_output_cost: 0.00002 },
      },
    });
  });

  it('sends text as a message item: added, content part, deltas, then the done events in order', () => {
    const all = frames([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: '' },
      { type: 'text', text: 'lo "you"' },
      { type: 'finish', reason: 'stop', nativeReason: 'stop', usage: undefined },
    ]);
    const done = { id: `msg_${suffix}_0`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello "you"', annotations: [], logprobs: [] }] };
    expect(middle(all)).toEqual([
      { type: 'response.output_item.added', output_index: 0, item: { ...done, status: 'in_progress', content: [] }, sequence_number: 2 },
      { type: 'response.content_part.added', ...msg, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] }, sequence_number: 3 },
      { type: 'response.output_text.delta', ...msg, content_index: 0, delta: 'Hel', logprobs: [], sequence_number: 4 },
      { type: 'response.output_text.delta', ...msg, content_index: 0, delta: 'lo "you"', logprobs: [], sequence_number: 5 },
      { type: 'response.output_text.done', ...msg, content_index: 0, text: 'Hello "you"', logprobs: [], sequence_number: 6 },
      { type: 'response.content_part.done', ...msg, content_index: 0, part: done.content[0], sequence_number: 7 },
      { type: 'response.output_item.done', output_index: 0, item: done, sequence_number: 8 },
    ]);
  });

  it('sends each tool call as a function_call item whose argument deltas add up, done at the finish', () => {
    const all = frames([
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
      { type: 'tool-call-start', index: 1, id: 'call_2', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, arguments: '"Oslo"}' },
      { type: 'tool-call-delta', index: 1, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'tool_calls', usage: undefined },
    ]);
    const first = { id: `fc_${suffix}_0`, type: 'function_call', call_id: 'call_1', name: 'get_weather' };
    const second = { id: `fc_${suffix}_1`, type: 'function_call', call_id: 'call_2', name: 'get_time' };
    expect(middle(all).map(({ sequence_number: _, ...frame }) => frame)).toEqual([
      { type: 'response.output_item.added', output_index: 0, item: { ...first, status: 'in_progress', arguments: '' } },
      { type: 'response.function_call_arguments.delta', item_id: first.id, output_index: 0, delta: '{"city":' },
      { type: 'response.output_item.added', output_index: 1, item: { ...second, status: 'in_progress', arguments: '' } },
      // A call stays open until the finish, so a late fragment still lands on its own item.
      { type: 'response.function_call_arguments.delta', item_id: first.id, output_index: 0, delta: '"Oslo"}' },
      { type: 'response.function_call_arguments.delta', item_id: second.id, output_index: 1, delta: '{}' },
      { type: 'response.function_call_arguments.done', item_id: first.id, output_index: 0, arguments: '{"city":"Oslo"}' },
      { type: 'response.output_item.done', output_index: 0, item: { ...first, status: 'completed', arguments: '{"city":"Oslo"}' } },
      { type: 'response.function_call_arguments.done', item_id: second.id, output_index: 1, arguments: '{}' },
      { type: 'response.output_item.done', output_index: 1, item: { ...second, status: 'completed', arguments: '{}' } },
    ]);
    expect((all.at(-1) as { response: { status: string } }).response.status).toBe('completed');
  });

  it('sends reasoning as a reasoning item with a summary, its signature on the item, then the answer as a new item', () => {
    const all = frames([
      { type: 'reasoning', text: 'Let me ', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning', text: 'think', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning-signature', signature: 'sig', format: 'anthropic-claude-v1', block: 0 },
      { type: 'text', text: 'Hi' },
      { type: 'finish', reason: 'stop', nativeReason: 'end_turn', usage: undefined },
    ]);
    const rs = { item_id: `rs_${suffix}_0`, output_index: 0, summary_index: 0 };
    const reasoning = { id: `rs_${suffix}_0`, type: 'reasoning', format: 'anthropic-claude-v1' };
    expect(middle(all).slice(0, 7).map(({ sequence_number: _, ...frame }) => frame)).toEqual([
      { type: 'response.output_item.added', output_index: 0, item: { ...reasoning, status: 'in_progress', summary: [] } },
      { type: 'response.reasoning_summary_part.added', ...rs, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...rs, delta: 'Let me ' },
      { type: 'response.reasoning_summary_text.delta', ...rs, delta: 'think' },
      { type: 'response.reasoning_summary_text.done', ...rs, text: 'Let me think' },
      { type: 'response.reasoning_summary_part.done', ...rs, part: { type: 'summary_text', text: 'Let me think' } },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { ...reasoning, status: 'completed', summary: [{ type: 'summary_text', text: 'Let me think' }], signature: 'sig' },
      },
    ]);
    expect(middle(all)[7]).toMatchObject({ type: 'response.output_item.added', output_index: 1, item: { id: `msg_${suffix}_1`, type: 'message' } });
  });

  it('hides reasoning text when excluded but keeps signatures and encrypted reasoning', () => {
    const all = frames(
      [
        { type: 'reasoning', text: 'secret thoughts', format: 'anthropic-claude-v1', block: 0 },
        { type: 'reasoning-encrypted', data: 'opaque', format: 'anthropic-claude-v1', block: 1 },
        { type: 'finish', reason: 'stop', nativeReason: 'end_turn', usage: undefined },
      ],
      { view: { includeReasoning: false, request } },
    );
    expect(JSON.stringify(all)).not.toContain('secret thoughts');
    expect((all.at(-1) as { response: { output: unknown } }).response.output).toEqual([
      { id: `rs_${suffix}_0`, type: 'reasoning', status: 'completed', summary: [], format: 'anthropic-claude-v1', encrypted_content: 'opaque' },
    ]);
  });

  it('puts a refusal in its own content part of the message', () => {
    const all = frames([{ type: 'refusal', text: 'I cannot' }, { type: 'finish', reason: 'stop', nativeReason: 'stop', usage: undefined }]);
    expect(middle(all).map((frame) => frame.type)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    expect(middle(all)[3]).toMatchObject({ ...msg, content_index: 0, refusal: 'I cannot' });
  });

  it('ends an answer cut off by max tokens with response.incomplete and the reason', () => {
    const all = frames([{ type: 'text', text: 'Once upon' }, { type: 'finish', reason: 'length', nativeReason: 'length', usage: undefined }]);
    const last = all.at(-1) as { type: string; response: Record<string, unknown> };
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ type: 'message', status: 'incomplete' }] });
  });

  it('fails past the commit point with the usage billed so far in response.usage', () => {
    const encoder = new ResponsesStreamEncoder(meta, view);
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'OpenAI' });
    const last = parse(encoder.open() + encoder.encode({ type: 'text', text: 'Par' }) + encoder.fail(error, billed)).at(-1) as { type: string; response: Record<string, unknown> };
    expect(last.type).toBe('response.failed');
    expect(last.response).toMatchObject({ status: 'failed', usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, cost: 0.00004 } });
  });

  it('fails with one response.failed that shows no upstream detail and marks open items incomplete', () => {
    const encoder = new ResponsesStreamEncoder(meta, view);
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'secret upstream body', provider: 'OpenAI' });
    const all = parse(encoder.open() + encoder.encode({ type: 'text', text: 'Par' }) + encoder.fail(error, undefined));
    const last = all.at(-1) as { type: string; sequence_number: number; response: Record<string, unknown> };
    expect(last.type).toBe('response.failed');
    expect(last.sequence_number).toBe(all.length - 1);
    expect(last.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Provider returned error (OpenAI)' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Par' }] }],
      usage: null,
    });
    expect(JSON.stringify(all)).not.toContain('secret upstream body');
  });

  it('echoes the request parameters in the response object', () => {
    const asked: ChatRequest = chatRequest.parse({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      top_p: 0.9,
      max_tokens: 100,
      metadata: { team: 'rail' },
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      reasoning: { effort: 'low' },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    const [created] = frames([], { view: { includeReasoning: true, request: asked }, close: false }) as [{ response: Record<string, unknown> }];
    expect(created.response).toMatchObject({
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 100,
      metadata: { team: 'rail' },
      parallel_tool_calls: false,
      tools: [{ type: 'function', name: 'get_weather', description: null, parameters: { type: 'object' }, strict: null }],
      tool_choice: { type: 'function', name: 'get_weather' },
      reasoning: { effort: 'low', summary: null },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    });
  });

  it('keeps alive with an SSE comment', () => {
    expect(responsesDoor.keepAliveFrame).toBe(': OPENROUTER PROCESSING\n\n');
  });
});

describe('ResponseAssembler', () => {
  const assemble = (events: StreamEvent[], assemblerView: ReplyView = view): Record<string, unknown> => {
    const assembler = new ResponseAssembler(meta, assemblerView);
    for (const event of events) assembler.add(event);
    return JSON.parse(assembler.body(billed)) as Record<string, unknown>;
  };

  it('is the response of the stream’s last event', () => {
    const events: StreamEvent[] = [
      { type: 'reasoning', text: 'Hmm', format: 'google-gemini-v1', block: 0 },
      { type: 'text', text: 'It is ' },
      { type: 'text', text: 'sunny' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls', nativeReason: 'STOP', usage: undefined },
    ];
    const streamed = frames(events).at(-1) as { response: unknown };
    expect(assemble(events)).toEqual(streamed.response);
    expect(assemble(events)).toMatchObject({
      status: 'completed',
      output: [
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm' }], format: 'google-gemini-v1' },
        { type: 'message', content: [{ type: 'output_text', text: 'It is sunny' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
      ],
    });
  });

  it('is incomplete after a length finish, and failed with the public message after an error', () => {
    expect(assemble([{ type: 'text', text: 'a' }, { type: 'finish', reason: 'length', nativeReason: 'length', usage: undefined }])).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ status: 'incomplete' }],
    });
    const error = new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream connection lost', provider: 'OpenAI' });
    expect(assemble([{ type: 'text', text: 'a' }, { type: 'error', error }])).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Provider returned error (OpenAI)' },
      output: [{ status: 'incomplete' }],
    });
  });
});
