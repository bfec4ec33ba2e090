// The Messages door's way in: Anthropic's request → the canonical chat
// request, and every wrong field a 400 that names it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REASONING } from '../../lib/api/chat-request.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { messagesDoor } from '../../lib/doors/messages/door.ts';

const headers = new Headers({ 'anthropic-version': '2023-06-01' });
const decode = (body: unknown) => messagesDoor.decode(body, headers);
const base = { model: 'anthropic/claude-sonnet-4.5', max_tokens: 512, messages: [{ role: 'user', content: 'Hi' }] };

describe('the Messages door decodes', () => {
  it('a plain request: model, max_tokens, a string message, not streamed', () => {
    expect(decode(base)).toEqual({
      stream: false,
      request: {
        model: 'anthropic/claude-sonnet-4.5',
        maxOutputTokens: 512,
        reasoning: DEFAULT_REASONING,
        extras: {},
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    });
  });

  it('the system prompt, as a string or as blocks with cache_control', () => {
    expect(decode({ ...base, system: 'Be brief.' }).request.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] });
    expect(
      decode({ ...base, system: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Rules' }] })
        .request.messages[0],
    ).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'Long context', cache_control: { type: 'ephemeral', ttl: '1h' } },
        { type: 'text', text: 'Rules' },
      ],
    });
  });

  it('sampling, stop sequences, the user id, streaming and the OpenRouter extras', () => {
    const { request, stream } = decode({
      ...base,
      stream: true,
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END', '\n\nHuman:'],
      metadata: { user_id: 'user-42' },
      models: ['openai/gpt-4o-mini'],
      provider: { order: ['anthropic'], allow_fallbacks: false },
      cache_control: { type: 'ephemeral' },
    });
    expect(stream).toBe(true);
    expect(request).not.toHaveProperty('stream');
    expect(request).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop: ['END', '\n\nHuman:'],
      user: 'user-42',
      models: ['openai/gpt-4o-mini'],
      provider: { order: ['anthropic'], allow_fallbacks: false },
      cache_control: { type: 'ephemeral' },
    });
  });

  it('images by base64 and by URL, and documents', () => {
    const { request } = decode({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'spec.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain é' } },
            { type: 'text', text: 'What are these?' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          { type: 'file', file: { file_data: `data:text/plain;base64,${Buffer.from('plain é').toString('base64')}` } },
          { type: 'text', text: 'What are these?' },
        ],
      },
    ]);
  });

  it('a tool loop: tools, tool_choice, tool_use → tool_calls, tool_result (is_error, nested content) → tool messages before the user text', () => {
    const { request } = decode({
      ...base,
      tools: [
        { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        { name: 'get_time', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather and time in Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'toolu_02', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: '4°C' }, { type: 'image', source: { type: 'url', url: 'https://example.com/map.png' } }] },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: 'clock unavailable', is_error: true },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    });
    expect(request.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } }, cache_control: { type: 'ephemeral' } },
    ]);
    expect(request.tool_choice).toBe('required');
    expect(request.parallel_tool_calls).toBe(false);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Oslo?' }] },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'toolu_02', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'toolu_01',
        content: [
          { type: 'text', text: '4°C' },
          { type: 'image_url', image_url: { url: 'https://example.com/map.png' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_02', content: 'Error: clock unavailable' },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
    ]);
  });

  it('an assistant turn of tool calls only (content null) and a failed tool result without content', () => {
    const { request } = decode({
      ...base,
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'run', input: { n: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true }] },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'run', arguments: '{"n":1}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Error:' },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto', undefined],
    [{ type: 'auto', disable_parallel_tool_use: true }, 'auto', false],
    [{ type: 'none' }, 'none', undefined],
    [{ type: 'tool', name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }, undefined],
  ])('tool_choice %j as %j', (choice, expected, parallel) => {
    const { request } = decode({ ...base, tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: choice });
    expect(request.tool_choice).toEqual(expected);
    expect(request.parallel_tool_calls).toBe(parallel);
  });

  it('thinking: a budget is the canonical reasoning budget; adaptive asks for reasoning; disabled for none', () => {
    expect(decode({ ...base, max_tokens: 16000, thinking: { type: 'enabled', budget_tokens: 10000 } }).request.reasoning).toEqual({
      ...DEFAULT_REASONING,
      mode: 'on',
      budgetTokens: 10000,
    });
    // `enabled: true` alone is medium effort (openrouter-api.md §2.7).
    expect(decode({ ...base, thinking: { type: 'adaptive' } }).request.reasoning).toEqual({ ...DEFAULT_REASONING, mode: 'on', effort: 'medium' });
    expect(decode({ ...base, thinking: { type: 'disabled' } }).request.reasoning).toEqual(DEFAULT_REASONING);
  });

  it('thinking and redacted thinking blocks of an earlier turn as reasoning_details, signatures kept', () => {
    const { request } = decode({
      ...base,
      messages: [
        { role: 'user', content: 'Think' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Let me see', signature: 'EqQBCkYIBxgC' },
            { type: 'redacted_thinking', data: 'EmwKAhgBEgy' },
            { type: 'text', text: 'Answer' },
          ],
        },
        { role: 'user', content: 'And?' },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: 'Answer',
      reasoning_details: [
        { type: 'reasoning.text', text: 'Let me see', signature: 'EqQBCkYIBxgC', format: 'anthropic-claude-v1', index: 0 },
        { type: 'reasoning.encrypted', data: 'EmwKAhgBEgy', format: 'anthropic-claude-v1', index: 1 },
      ],
    });
  });

  it('unknown top-level fields, as OpenRouter tolerates them', () => {
    expect(decode({ ...base, context_management: { edits: [] } }).request).toMatchObject({ model: base.model });
  });
});

function rejection(body: unknown): { message: string; field: unknown } {
  try {
    decode(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.status).toBe(400);
    return { message: gatewayError.message, field: gatewayError.metadata.field };
  }
  throw new Error('the body was accepted');
}

const userBlocks = (block: unknown) => ({ ...base, messages: [{ role: 'user', content: [block] }] });
const tools = [{ name: 'get_weather', input_schema: { type: 'object' } }];

describe('the Messages door rejects with a 400 naming the field', () => {
  it.each([
    ['no max_tokens', { model: base.model, messages: base.messages }, 'max_tokens'],
    ['max_tokens as a string', { ...base, max_tokens: '512' }, 'max_tokens'],
    ['max_tokens of 0', { ...base, max_tokens: 0 }, 'max_tokens'],
    ['max_tokens not whole', { ...base, max_tokens: 1.5 }, 'max_tokens'],
    ['no model', { max_tokens: 10, messages: base.messages }, 'model'],
    ['an empty model', { ...base, model: '' }, 'model'],
    ['no messages', { model: base.model, max_tokens: 10 }, 'messages'],
    ['empty messages', { ...base, messages: [] }, 'messages'],
    ['a system role in messages', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    ['content of a wrong type', { ...base, messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    ['an unknown block type', userBlocks({ type: 'video', url: 'x' }), 'messages[0].content[0].type'],
    ['tool_use in a user turn', userBlocks({ type: 'tool_use', id: 'a', name: 'b', input: {} }), 'messages[0].content[0].type'],
    ['a text block without text', userBlocks({ type: 'text' }), 'messages[0].content[0].text'],
    ['an image of an unsupported type', userBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA' } }), 'messages[0].content[0].source.media_type'],
    ['an image URL that is not http(s)', userBlocks({ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }), 'messages[0].content[0].source.url'],
    ['a tool_result without tool_use_id', userBlocks({ type: 'tool_result', content: 'x' }), 'messages[0].content[0].tool_use_id'],
    ['a tool_result with is_error not a boolean', userBlocks({ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }), 'messages[0].content[0].is_error'],
    ['a tool_result with a nested tool_use', userBlocks({ type: 'tool_result', tool_use_id: 't', content: [{ type: 'tool_use' }] }), 'messages[0].content[0].content[0].type'],
    [
      'tool_use input that is not an object',
      { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: '{}' }] }] },
      'messages[0].content[0].input',
    ],
    ['a thinking block without signature', { ...base, messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'x' }] }] }, 'messages[0].content[0].signature'],
    ['system of a wrong type', { ...base, system: 7 }, 'system'],
    ['temperature above 1', { ...base, temperature: 1.5 }, 'temperature'],
    ['temperature as a string', { ...base, temperature: 'hot' }, 'temperature'],
    ['top_p above 1', { ...base, top_p: 2 }, 'top_p'],
    ['top_k negative', { ...base, top_k: -1 }, 'top_k'],
    ['top_k not whole', { ...base, top_k: 2.5 }, 'top_k'],
    ['stop_sequences as a string', { ...base, stop_sequences: 'END' }, 'stop_sequences'],
    ['an empty stop sequence', { ...base, stop_sequences: [''] }, 'stop_sequences[0]'],
    ['stream as a string', { ...base, stream: 'true' }, 'stream'],
    ['a tool without input_schema', { ...base, tools: [{ name: 'get_weather' }] }, 'tools[0].input_schema'],
    ['a tool schema that is not an object schema', { ...base, tools: [{ name: 'x', input_schema: { type: 'string' } }] }, 'tools[0].input_schema.type'],
    ['a tool name with spaces', { ...base, tools: [{ name: 'get weather', input_schema: { type: 'object' } }] }, 'tools[0].name'],
    ['a server tool', { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type'],
    ['a repeated tool name', { ...base, tools: [...tools, ...tools] }, 'tools[1].name'],
    ['an unknown tool_choice type', { ...base, tools, tool_choice: { type: 'required' } }, 'tool_choice.type'],
    ['tool_choice naming no tool', { ...base, tools, tool_choice: { type: 'tool', name: 'nope' } }, 'tool_choice.name'],
    ['a thinking budget below 1024', { ...base, thinking: { type: 'enabled', budget_tokens: 100 } }, 'thinking.budget_tokens'],
    ['a thinking budget not below max_tokens', { ...base, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }, 'thinking.budget_tokens'],
    ['an unknown thinking type', { ...base, thinking: { type: 'on' } }, 'thinking.type'],
    ['metadata.user_id as a number', { ...base, metadata: { user_id: 7 } }, 'metadata.user_id'],
    ['provider.order as a string', { ...base, provider: { order: 'anthropic' } }, 'provider.order'],
    ['models as a string', { ...base, models: 'a/b' }, 'models'],
    ['cache_control of an unknown type', { ...base, cache_control: { type: 'permanent' } }, 'cache_control.type'],
  ])('%s', (_name, body, field) => {
    const { message, field: named } = rejection(body);
    expect(named).toBe(field);
    expect(message).toContain(`\`${field}\``);
  });
});
