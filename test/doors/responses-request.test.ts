// A Responses request → the canonical chat request, and the 400s that name
// the field for what the door refuses. Pure: the door's decode, no HTTP.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REASONING } from '../../lib/api/chat-request.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { responsesDoor } from '../../lib/doors/responses/door.ts';

const headers = new Headers();
const decode = (body: unknown) => responsesDoor.decode(body, headers);

function refusal(body: unknown): GatewayError {
  try {
    decode(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the door accepted the request');
}

describe('responses request → canonical request', () => {
  it('maps a string input, instructions and the parameters', () => {
    const { request, stream } = decode({
      model: 'openai/gpt-4o-mini',
      models: ['anthropic/claude-sonnet-4'],
      provider: { order: ['openai'], allow_fallbacks: false },
      instructions: 'Answer in French',
      input: 'Hello',
      stream: true,
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.5,
      metadata: { team: 'rail' },
      reasoning: { effort: 'high', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      safety_identifier: 'user-7',
      session_id: 'session-1',
      include: ['reasoning.encrypted_content'],
      store: false,
      some_future_field: { anything: true },
    });
    expect(stream).toBe(true);
    expect(request).toEqual({
      model: 'openai/gpt-4o-mini',
      models: ['anthropic/claude-sonnet-4'],
      provider: { order: ['openai'], allow_fallbacks: false },
      messages: [
        { role: 'system', content: 'Answer in French' },
        { role: 'user', content: 'Hello' },
      ],
      maxOutputTokens: 300,
      temperature: 0.2,
      top_p: 0.5,
      metadata: { team: 'rail' },
      reasoning: { mode: 'on', effort: 'high', budgetTokens: undefined, exclude: false, summary: 'auto' },
      extras: {},
      verbosity: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      user: 'user-7',
      session_id: 'session-1',
    });
  });

  it('turns items into messages: content parts, one assistant turn per run of output, tool results, reasoning on its turn', () => {
    const { request, stream } = decode({
      model: 'anthropic/claude-sonnet-4',
      input: [
        { role: 'developer', content: [{ type: 'input_text', text: 'Be terse' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather in these two?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
          ],
        },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'Two calls' }],
          signature: 'sig-1',
          format: 'anthropic-claude-v1',
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }], id: 'msg_1', status: 'completed' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', id: 'fc_1', status: 'completed' },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"c":3}' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '{"c":20}' }] },
        { type: 'reasoning', summary: [], encrypted_content: 'opaque', format: 'openai-responses-v1' },
        { role: 'assistant', content: 'Oslo is cold.' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(stream).toBe(false);
    expect(request.messages).toEqual([
      { role: 'developer', content: 'Be terse' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in these two?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        reasoning_details: [{ type: 'reasoning.text', text: 'Two calls', signature: 'sig-1', id: 'rs_1', format: 'anthropic-claude-v1', index: 0 }],
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"c":3}' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '{"c":20}' }] },
      {
        role: 'assistant',
        content: 'Oslo is cold.',
        reasoning_details: [{ type: 'reasoning.encrypted', data: 'opaque', id: undefined, format: 'openai-responses-v1', index: 1 }],
      },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('maps tool_choice strings and json_object, and leaves unset fields out', () => {
    const { request } = decode({ model: 'm/x', input: 'Hi', tool_choice: 'required', tools: [{ type: 'function', name: 'f' }], text: { format: { type: 'json_object' } } });
    expect(request).toEqual({
      model: 'm/x',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: 'required',
      response_format: { type: 'json_object' },
      maxOutputTokens: undefined,
      reasoning: DEFAULT_REASONING,
      extras: {},
    });
  });
});

describe('responses request refusals', () => {
  const valid = { model: 'openai/gpt-4o-mini', input: 'Hi' };
  const cases: { name: string; body: unknown; field: string; message: RegExp }[] = [
    { name: 'previous_response_id', body: { ...valid, previous_response_id: 'resp_1' }, field: 'previous_response_id', message: /stateless/ },
    { name: 'store: true', body: { ...valid, store: true }, field: 'store', message: /does not store/ },
    { name: 'a conversation', body: { ...valid, conversation: 'conv_1' }, field: 'conversation', message: /stateless/ },
    { name: 'a stored prompt', body: { ...valid, prompt: { id: 'pmpt_1' } }, field: 'prompt', message: /stateless/ },
    { name: 'background', body: { ...valid, background: true }, field: 'background', message: /background/ },
    { name: 'an item_reference', body: { ...valid, input: [{ type: 'item_reference', id: 'msg_1' }] }, field: 'input[0].type', message: /item_reference/ },
    { name: 'no model', body: { input: 'Hi' }, field: 'model', message: /is required/ },
    { name: 'no input', body: { model: 'm/x' }, field: 'input', message: /`input`/ },
    { name: 'an empty input list', body: { ...valid, input: [] }, field: 'input', message: /at least one item/ },
    { name: 'a wrong temperature type', body: { ...valid, temperature: 'hot' }, field: 'temperature', message: /`temperature`/ },
    { name: 'an out-of-range top_p', body: { ...valid, top_p: 3 }, field: 'top_p', message: /`top_p`/ },
    { name: 'max_output_tokens of 0', body: { ...valid, max_output_tokens: 0 }, field: 'max_output_tokens', message: /`max_output_tokens`/ },
    { name: 'an unknown item type', body: { ...valid, input: [{ type: 'web_search_call', id: 'ws_1' }] }, field: 'input[0].type', message: /`input\[0\]\.type`/ },
    {
      name: 'a wrong content part',
      body: { ...valid, input: [{ role: 'user', content: [{ type: 'input_audio', data: 'x' }] }] },
      field: 'input[0].content[0].type',
      message: /`input\[0\]\.content\[0\]\.type`/,
    },
    {
      name: 'content that is neither text nor a list',
      body: { ...valid, tools: [{ type: 'function' }], tool_choice: { type: 'function', name: 'f' }, input: [{ role: 'user', content: 5 }] },
      field: 'input[0].content',
      message: /`input\[0\]\.content` must be a string or a list/,
    },
    {
      name: 'an output part in a user message',
      body: { ...valid, input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] },
      field: 'input[0].content[0].type',
      message: /only allowed in an assistant message/,
    },
    {
      name: 'an image by file id',
      body: { ...valid, input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] },
      field: 'input[0].content[0].image_url',
      message: /file_id/,
    },
    {
      name: 'a function call without call_id',
      body: { ...valid, input: [{ type: 'function_call', name: 'f', arguments: '{}' }] },
      field: 'input[0].call_id',
      message: /`input\[0\]\.call_id`/,
    },
    { name: 'a hosted tool', body: { ...valid, tools: [{ type: 'web_search_preview' }] }, field: 'tools[0].type', message: /`tools\[0\]\.type`/ },
    { name: 'a forced tool that is not declared', body: { ...valid, tool_choice: { type: 'function', name: 'nope' } }, field: 'tool_choice.name', message: /one of `tools`/ },
    { name: 'a bad json_schema name', body: { ...valid, text: { format: { type: 'json_schema', name: 'has space', schema: {} } } }, field: 'text.format.name', message: /letters/ },
    { name: 'a wrong reasoning effort', body: { ...valid, reasoning: { effort: 'huge' } }, field: 'reasoning.effort', message: /`reasoning\.effort`/ },
  ];

  it.each(cases)('refuses $name with a 400 naming `$field`', ({ body, field, message }) => {
    const error = refusal(body);
    expect(error.status).toBe(400);
    expect(error.metadata.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
