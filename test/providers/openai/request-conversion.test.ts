import { describe, expect, it } from 'vitest';
import { chatRequest, type ChatRequest } from '../../../lib/api/chat-request.ts';
import type { SupportedParameter } from '../../../lib/catalog/schema.ts';
import { convertRequest } from '../../../lib/providers/openai/request-conversion.ts';
import { openaiEndpoint } from './support.ts';

function build(
  request: unknown,
  options: { supportedParameters?: SupportedParameter[]; stream?: boolean; maxTokens?: number } = {},
): Record<string, unknown> {
  // Requests go through the real schema, as they do in the gateway.
  const parsed: ChatRequest = chatRequest.parse(request);
  return convertRequest({
    request: parsed,
    endpoint: openaiEndpoint({ supportedParameters: options.supportedParameters ?? [] }),
    stream: options.stream ?? false,
    maxTokens: options.maxTokens ?? 512,
  });
}

const hello = [{ role: 'user', content: 'Hello' }];

describe('convertRequest', () => {
  it('sends the upstream model id, the messages and max_tokens by default', () => {
    expect(build({ model: 'acme/chat-1', messages: hello })).toEqual({
      model: 'chat-1-2025-06-01',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 512,
    });
  });

  it('uses max_completion_tokens when the endpoint supports it, with the gateway cap not the caller field', () => {
    const body = build(
      { model: 'acme/chat-1', messages: hello, max_tokens: 99_999 },
      { supportedParameters: ['max_completion_tokens', 'max_tokens'], maxTokens: 2048 },
    );
    expect(body).toEqual({ model: 'chat-1-2025-06-01', messages: hello, max_completion_tokens: 2048 });
  });

  it('asks for usage in the stream when streaming', () => {
    expect(build({ model: 'acme/chat-1', messages: hello, stream: true, stream_options: { include_usage: false } }, { stream: true })).toEqual({
      model: 'chat-1-2025-06-01',
      messages: hello,
      max_tokens: 512,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sends supported sampling parameters and drops unsupported ones silently', () => {
    const request = {
      model: 'acme/chat-1',
      messages: hello,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      repetition_penalty: 1.1,
      min_p: 0.05,
      top_a: 0.1,
      seed: 7,
      stop: ['\n\n', 'END'],
      logit_bias: { '50256': -100 },
      logprobs: true,
      top_logprobs: 3,
    };
    expect(build(request, { supportedParameters: ['temperature', 'seed', 'stop', 'logprobs', 'top_logprobs'] })).toEqual({
      model: 'chat-1-2025-06-01',
      messages: hello,
      max_tokens: 512,
      temperature: 0.2,
      seed: 7,
      stop: ['\n\n', 'END'],
      logprobs: true,
      top_logprobs: 3,
    });
    expect(build(request)).toEqual({ model: 'chat-1-2025-06-01', messages: hello, max_tokens: 512 });
  });

  it('never sends OpenRouter-only fields or fields outside the capability vocabulary', () => {
    const body = build({
      model: 'acme/chat-1',
      models: ['acme/chat-1', 'acme/chat-2'],
      messages: hello,
      provider: { order: ['acme'], allow_fallbacks: false },
      session_id: 'session-42',
      usage: { include: true },
      transforms: ['middle-out'],
      plugins: [{ id: 'web' }],
      route: 'fallback',
      include_reasoning: true,
      cache_control: { type: 'ephemeral' },
      prompt_cache_key: 'tenant-7',
      user: 'user-1234',
      metadata: { team: 'search' },
      service_tier: 'flex',
      modalities: ['text'],
      debug: { echo_upstream_body: true },
      n: 3,
    }, { supportedParameters: ['temperature', 'tools', 'reasoning', 'include_reasoning'] });
    expect(body).toEqual({ model: 'chat-1-2025-06-01', messages: hello, max_tokens: 512 });
  });

  it('passes unknown provider-specific extras through unchanged', () => {
    const body = build({
      model: 'acme/chat-1',
      messages: hello,
      safe_prompt: true,
      guided_json: { type: 'object', properties: { a: { type: 'string' } } },
    });
    expect(body).toEqual({
      model: 'chat-1-2025-06-01',
      messages: hello,
      max_tokens: 512,
      safe_prompt: true,
      guided_json: { type: 'object', properties: { a: { type: 'string' } } },
    });
  });

  describe('reasoning effort', () => {
    const effortFor = (request: Record<string, unknown>, supportedParameters: SupportedParameter[] = ['reasoning']): unknown =>
      build({ model: 'acme/chat-1', messages: hello, ...request }, { supportedParameters }).reasoning_effort;

    it.each([
      [{ reasoning: { effort: 'low' } }, 'low'],
      [{ reasoning: { effort: 'medium' } }, 'medium'],
      [{ reasoning: { effort: 'high' } }, 'high'],
      [{ reasoning: { effort: 'xhigh' } }, 'high'],
      [{ reasoning: { effort: 'max' } }, 'high'],
      [{ reasoning: { effort: 'minimal' } }, 'minimal'],
      [{ reasoning: { effort: 'none' } }, undefined],
      [{ reasoning_effort: 'medium' }, 'medium'],
      [{ reasoning_effort: 'max' }, 'high'],
      [{ reasoning: { enabled: false, effort: 'high' } }, undefined],
      [{ reasoning: { max_tokens: 2000 } }, undefined],
    ])('%j → %s', (request, expected) => {
      expect(effortFor(request)).toBe(expected);
    });

    it('is sent when the endpoint lists reasoning_effort instead of reasoning', () => {
      expect(effortFor({ reasoning: { effort: 'low' } }, ['reasoning_effort'])).toBe('low');
    });

    it('is dropped, with the rest of the reasoning object, when the endpoint does not reason', () => {
      const body = build({ model: 'acme/chat-1', messages: hello, reasoning: { effort: 'high', summary: 'auto' } });
      expect(body).toEqual({ model: 'chat-1-2025-06-01', messages: hello, max_tokens: 512 });
    });
  });

  it('sends tools without cache_control, and tool_choice / parallel_tool_calls when supported', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'function', function: { name: 'get_time', strict: null } },
    ];
    const body = build(
      { model: 'acme/chat-1', messages: hello, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false },
      { supportedParameters: ['tools', 'tool_choice', 'parallel_tool_calls'] },
    );
    expect(body).toEqual({
      model: 'chat-1-2025-06-01',
      messages: hello,
      max_tokens: 512,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time' } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(build({ model: 'acme/chat-1', messages: hello, tools, tool_choice: 'auto' })).toEqual({
      model: 'chat-1-2025-06-01',
      messages: hello,
      max_tokens: 512,
    });
  });

  describe('response_format', () => {
    const jsonSchema = {
      type: 'json_schema',
      json_schema: {
        name: 'capital',
        strict: true,
        schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      },
    };

    it('is sent as is to endpoints that support response_format', () => {
      const body = build({ model: 'acme/chat-1', messages: hello, response_format: jsonSchema }, { supportedParameters: ['response_format'] });
      expect(body.response_format).toEqual(jsonSchema);
    });

    it('json_schema is also sent to endpoints that list only structured_outputs', () => {
      const body = build({ model: 'acme/chat-1', messages: hello, response_format: jsonSchema }, { supportedParameters: ['structured_outputs'] });
      expect(body.response_format).toEqual(jsonSchema);
      const jsonObject = build(
        { model: 'acme/chat-1', messages: hello, response_format: { type: 'json_object' } },
        { supportedParameters: ['structured_outputs'] },
      );
      expect(jsonObject).not.toHaveProperty('response_format');
    });

    it('is dropped for endpoints that support neither', () => {
      expect(build({ model: 'acme/chat-1', messages: hello, response_format: jsonSchema })).not.toHaveProperty('response_format');
    });
  });

  it('clamps verbosity to what hosts accept and sends prediction without cache hints', () => {
    const body = build(
      {
        model: 'acme/chat-1',
        messages: hello,
        verbosity: 'max',
        prediction: { type: 'content', content: [{ type: 'text', text: 'draft', cache_control: { type: 'ephemeral' } }] },
      },
      { supportedParameters: ['verbosity', 'prediction'] },
    );
    expect(body.verbosity).toBe('high');
    expect(body.prediction).toEqual({ type: 'content', content: [{ type: 'text', text: 'draft' }] });
  });

  it('converts a whole conversation: drops gateway reasoning fields, keeps parts, tool calls, tool results and names', () => {
    const messages = [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'developer', content: 'Answer in French.', name: 'policy' },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'What is the weather here?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        reasoning: 'The user wants weather; call the tool.',
        reasoning_content: 'The user wants weather; call the tool.',
        reasoning_details: [{ type: 'reasoning.text', text: 'The user wants weather; call the tool.', format: 'unknown' }],
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"celsius":21}' },
      { role: 'assistant', content: 'Il fait 21 °C.', refusal: null },
      { role: 'assistant', content: '', refusal: 'I cannot help with that.' },
    ];
    expect(build({ model: 'acme/chat-1', messages }).messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'developer', content: 'Answer in French.', name: 'policy' },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'What is the weather here?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"celsius":21}' },
      { role: 'assistant', content: 'Il fait 21 °C.' },
      { role: 'assistant', content: '', refusal: 'I cannot help with that.' },
    ]);
  });
});
