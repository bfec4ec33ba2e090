import { describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { GatewayError } from '../../../lib/api/errors.ts';
import { convertRequest } from '../../../lib/providers/anthropic/request-conversion.ts';
import { anthropicEndpoint, ALL_PARAMETERS, type EndpointOptions } from './support/endpoint.ts';

function convert(body: Record<string, unknown>, options: { maxTokens?: number; stream?: boolean; endpoint?: EndpointOptions } = {}) {
  const request = chatRequest.parse({ model: 'anthropic/claude-sonnet-4.5', ...body });
  return convertRequest({
    request,
    endpoint: anthropicEndpoint(options.endpoint),
    stream: options.stream ?? false,
    maxTokens: options.maxTokens ?? 1024,
  });
}

function conversionError(body: Record<string, unknown>): GatewayError {
  try {
    convert(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the conversion to fail');
}

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('convertRequest: messages', () => {
  it('moves system and developer messages into system blocks and keeps cache_control', () => {
    const body = convert(
      {
        messages: [
          { role: 'system', content: 'You are a terse assistant.' },
          {
            role: 'developer',
            content: [
              { type: 'text', text: 'Reference manual: …', cache_control: { type: 'ephemeral', ttl: '1h' } },
              { type: 'text', text: '' },
            ],
          },
          { role: 'user', content: 'What is 2 + 2?' },
          { role: 'assistant', content: '4.' },
          { role: 'user', content: [{ type: 'text', text: 'And 3 + 3?', cache_control: { type: 'ephemeral' } }] },
        ],
      },
      { maxTokens: 300, stream: true },
    );

    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 300,
      stream: true,
      system: [
        { type: 'text', text: 'You are a terse assistant.' },
        { type: 'text', text: 'Reference manual: …', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is 2 + 2?' }] },
        { role: 'assistant', content: [{ type: 'text', text: '4.' }] },
        { role: 'user', content: [{ type: 'text', text: 'And 3 + 3?', cache_control: { type: 'ephemeral' } }] },
      ],
    });
  });

  it('sends image URLs as url sources and data URLs as base64 sources', () => {
    const body = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          ],
        },
      ],
    });

    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
        ],
      },
    ]);
  });

  it('sends PDF files as document blocks', () => {
    const body = convert({
      messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' } }] }],
    });

    expect(body.messages[0]?.content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' }, title: 'spec.pdf' },
    ]);
  });

  it('refuses content Anthropic cannot take, naming the field', () => {
    const audio = conversionError({
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
    });
    const badImage = conversionError({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }],
    });

    expect([audio.status, audio.metadata.field]).toEqual([400, 'messages[0].content[0]']);
    expect([badImage.status, badImage.metadata.field]).toEqual([400, 'messages[0].content[0].image_url.url']);
  });

  it('refuses a conversation with nothing but system messages', () => {
    const error = conversionError({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: '' }] });

    expect([error.status, error.metadata.field]).toEqual([400, 'messages']);
  });

  it('sends a trailing assistant message as a prefill, without trailing whitespace', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Write a haiku about rain.' },
        { role: 'assistant', content: 'Soft rain on the roof \n' },
      ],
    });

    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Soft rain on the roof' }] });
  });
});

describe('convertRequest: tools', () => {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      cache_control: { type: 'ephemeral' },
    },
    { type: 'function', function: { name: 'get_time' } },
  ];

  it('converts tools, tool calls and tool results, merging consecutive results into one user turn', () => {
    const body = convert({
      tools,
      tool_choice: 'auto',
      parallel_tool_calls: false,
      messages: [
        { role: 'user', content: 'Weather and time in Lisbon?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
            { id: 'toolu_01B', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01A', content: '18°C, clear' },
        { role: 'tool', tool_call_id: 'toolu_01B', content: [{ type: 'text', text: '14:05 WET' }] },
        { role: 'user', content: 'Thanks! Summarise.' },
      ],
    });

    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        cache_control: { type: 'ephemeral' },
      },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Lisbon?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Lisbon' } },
          { type: 'tool_use', id: 'toolu_01B', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C, clear' },
          { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: '14:05 WET' }] },
          { type: 'text', text: 'Thanks! Summarise.' },
        ],
      },
    ]);
  });

  it.each([
    [{ tool_choice: 'required' }, { type: 'any' }],
    [{ tool_choice: 'none' }, { type: 'none' }],
    [{ tool_choice: { type: 'function', function: { name: 'get_time' } } }, { type: 'tool', name: 'get_time' }],
    [{ tool_choice: 'required', parallel_tool_calls: false }, { type: 'any', disable_parallel_tool_use: true }],
    [{ parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [{}, undefined],
  ])('maps %j to tool_choice %j', (fields, expected) => {
    const body = convert({ tools, messages: [{ role: 'user', content: 'Hi' }], ...fields });

    expect(body.tool_choice).toEqual(expected);
  });

  it('sends strict tools only to endpoints with structured outputs', () => {
    const strictTool = { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } };
    const messages = [{ role: 'user', content: 'Hi' }];
    const withOutputs = convert({ tools: [strictTool], messages });
    const without = convert(
      { tools: [strictTool], messages },
      { endpoint: { supportedParameters: ALL_PARAMETERS.filter((name) => name !== 'structured_outputs') } },
    );

    expect(withOutputs.tools?.[0]?.strict).toBe(true);
    expect(without.tools?.[0]).toEqual({ name: 'f', input_schema: { type: 'object' } });
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const error = conversionError({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"city":' } }] },
      ],
    });

    expect([error.status, error.metadata.field]).toEqual([400, 'messages[1].tool_calls[0].function.arguments']);
  });
});

describe('convertRequest: reasoning', () => {
  const signature = 'EqQBCkYIBxgCKkB0c2lnbmF0dXJl';

  it('turns reasoning into a thinking budget and raises max_tokens above it', () => {
    const body = convert({ reasoning: { effort: 'low' }, messages: [{ role: 'user', content: 'Hi' }] }, { maxTokens: 1000 });

    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(body.max_tokens).toBe(2024);
  });

  it('replays Anthropic reasoning_details as thinking blocks before the text, joining deltas of one block', () => {
    const body = convert({
      reasoning: { max_tokens: 2048 },
      messages: [
        { role: 'user', content: 'Weather in Lisbon?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          reasoning_details: [
            { type: 'reasoning.text', text: 'I should call ', format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.text', text: 'get_weather.', signature, format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.encrypted', data: 'EmwKAhgBEgy3redacted', format: 'anthropic-claude-v1', index: 1 },
            { type: 'reasoning.text', text: 'unsigned, cannot be replayed', format: 'anthropic-claude-v1', index: 2 },
            { type: 'reasoning.summary', summary: 'From another provider', format: 'openai-responses-v1', index: 0 },
          ],
          tool_calls: [{ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01A', content: '18°C' },
      ],
    });

    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should call get_weather.', signature },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3redacted' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Lisbon' } },
      ],
    });
  });

  it('sends no thinking to an endpoint that does not take reasoning', () => {
    const body = convert(
      { reasoning: { effort: 'high' }, messages: [{ role: 'user', content: 'Hi' }] },
      { endpoint: { supportedParameters: ['max_tokens', 'temperature'] } },
    );

    expect(body.thinking).toBeUndefined();
    expect(body.max_tokens).toBe(1024);
  });
});

describe('convertRequest: response_format and parameters', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const jsonSchemaFormat = { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } };

  it('uses native structured output where the endpoint supports it', () => {
    const body = convert({ response_format: jsonSchemaFormat, messages: [{ role: 'user', content: 'Where is the Tagus?' }] });

    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(body.system).toBeUndefined();
  });

  it('falls back to a system instruction elsewhere', () => {
    const body = convert(
      { response_format: jsonSchemaFormat, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where?' }] },
      { endpoint: { supportedParameters: ['max_tokens', 'response_format'] } },
    );

    expect(body.output_config).toBeUndefined();
    expect(body.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      {
        type: 'text',
        text: `Respond only with a JSON object, without any other text: "place", conforming to this JSON schema:\n${JSON.stringify(schema)}`,
      },
    ]);
  });

  it('passes stop, user, cache_control and supported sampling parameters', () => {
    const body = convert(
      {
        messages: [{ role: 'user', content: 'Count to ten.' }],
        stop: '7',
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        user: 'user-4711',
        cache_control: { type: 'ephemeral' },
        frequency_penalty: 0.5,
        seed: 7,
      },
      { endpoint: { supportedParameters: ['max_tokens', 'temperature', 'stop'] } },
    );

    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1024,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Count to ten.' }] }],
      stop_sequences: ['7'],
      temperature: 0.3,
      metadata: { user_id: 'user-4711' },
      cache_control: { type: 'ephemeral' },
    });
  });
});
