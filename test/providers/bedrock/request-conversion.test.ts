import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { convertRequest } from '../../../lib/providers/bedrock/request-conversion.ts';
import { bedrockEndpoint, providerCall } from './support.ts';

const claude = bedrockEndpoint({ baseUrl: 'http://127.0.0.1:9', region: 'us-east-1' });
const nova = bedrockEndpoint({
  baseUrl: 'http://127.0.0.1:9',
  region: 'us-east-1',
  upstreamModel: 'us.amazon.nova-micro-v1:0',
  supportedParameters: ['max_tokens', 'temperature', 'tools'],
});

const convert = (request: Record<string, unknown>, endpoint = claude, maxTokens = 1024) =>
  convertRequest(providerCall(endpoint, { model: 'anthropic/claude-sonnet-4.5', ...request }, { maxTokens }));

function thrown(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('Bedrock request conversion', () => {
  it('turns system and developer messages into system blocks and keeps a multi-turn conversation', () => {
    const body = convert({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: [{ type: 'text', text: 'And of Portugal?' }] },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n'],
    });

    expect(body).toEqual({
      system: [{ text: 'You are terse.' }, { cachePoint: { type: 'default', ttl: '1h' } }, { text: 'Answer in French.' }],
      messages: [
        { role: 'user', content: [{ text: 'Capital of France?' }] },
        { role: 'assistant', content: [{ text: 'Paris.' }] },
        { role: 'user', content: [{ text: 'And of Portugal?' }] },
      ],
      inferenceConfig: { maxTokens: 1024, temperature: 0.2, topP: 0.9, stopSequences: ['\n\n'] },
    });
  });

  it('leaves out sampling parameters the endpoint does not support', () => {
    const body = convert({ messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5, top_p: 0.5, stop: 'END' }, nova, 300);

    expect(body.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0.5 });
  });

  it('sends base64 data-URL images as image blocks', () => {
    const body = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==', detail: 'high' } },
          ],
        },
      ],
    });

    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { text: 'What is in these?' },
          { image: { format: 'png', source: { bytes: PNG } } },
          { image: { format: 'jpeg', source: { bytes: '/9j/4AAQSkZJRg==' } } },
        ],
      },
    ]);
  });

  it('refuses image links with a 400 that names the field', () => {
    const error = thrown(() =>
      convert({
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
        ],
      }),
    );

    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request');
    expect(error.message).toContain('messages[2].content[1].image_url.url');
    expect(error.metadata).toEqual({ field: 'messages[2].content[1].image_url.url' });
  });

  it('refuses image types Bedrock does not read', () => {
    const error = thrown(() =>
      convert({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }] }),
    );

    expect(error.status).toBe(400);
    expect(error.message).toContain('image/tiff');
  });

  it('converts tools, tool choice, tool calls and their results', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Weather in Paris and Lisbon?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'tooluse_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tooluse_1', content: '18°C, sunny' },
        { role: 'tool', tool_call_id: 'tooluse_2', content: [{ type: 'text', text: '22°C' }] },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [
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
      ],
      tool_choice: 'required',
    });

    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris and Lisbon?' }] },
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'tooluse_2', name: 'get_weather', input: { city: 'Lisbon' } } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'tooluse_1', content: [{ text: '18°C, sunny' }] } },
          { toolResult: { toolUseId: 'tooluse_2', content: [{ text: '22°C' }] } },
          { text: 'Which is warmer?' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Current weather for a city',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          },
        },
        { cachePoint: { type: 'default' } },
        { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: {} } } } },
      ],
      toolChoice: { any: {} },
    });
  });

  it.each([
    ['auto', { auto: {} }],
    [{ type: 'function', function: { name: 'get_time' } }, { tool: { name: 'get_time' } }],
  ])('maps tool_choice %j', (choice, expected) => {
    const body = convert({
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'get_time' } }],
      tool_choice: choice,
    });

    expect(body.toolConfig?.toolChoice).toEqual(expected);
  });

  it('drops the tools for tool_choice "none", unless the history holds tool calls', () => {
    const tools = [{ type: 'function', function: { name: 'get_time' } }];
    const fresh = convert({ messages: [{ role: 'user', content: 'Hi' }], tools, tool_choice: 'none' });
    const withHistory = convert({
      messages: [
        { role: 'user', content: 'Time?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_time', arguments: '' } }] },
        { role: 'tool', tool_call_id: 't1', content: '12:00' },
      ],
      tools,
      tool_choice: 'none',
    });

    expect(fresh.toolConfig).toBeUndefined();
    expect(withHistory.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: {} } } } }] });
    expect(withHistory.messages[1]).toEqual({ role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_time', input: {} } }] });
  });

  it('refuses tool call arguments that are not JSON, naming the field', () => {
    const error = thrown(() =>
      convert({
        messages: [
          { role: 'user', content: 'Time?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_time', arguments: '{oops' } }] },
        ],
      }),
    );

    expect(error.status).toBe(400);
    expect(error.metadata).toEqual({ field: 'messages[1].tool_calls[0].function.arguments' });
  });

  it('turns reasoning for Claude into a thinking budget and drops the temperature Claude refuses with it', () => {
    const body = convert({ messages: [{ role: 'user', content: 'Is 91 prime?' }], reasoning: { effort: 'high' }, temperature: 0.3 }, claude, 10_000);

    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 8000 } });
    expect(body.inferenceConfig).toEqual({ maxTokens: 10_000 });
  });

  it('uses reasoning.max_tokens as the budget', () => {
    const body = convert({ messages: [{ role: 'user', content: 'Is 91 prime?' }], reasoning: { max_tokens: 2048 } }, claude, 8000);

    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
  });

  it('sends no thinking to models that are not Claude, nor when reasoning is off', () => {
    expect(convert({ messages: [{ role: 'user', content: 'Hi' }], reasoning: { effort: 'high' } }, nova).additionalModelRequestFields).toBeUndefined();
    expect(convert({ messages: [{ role: 'user', content: 'Hi' }], reasoning: { effort: 'none' } }).additionalModelRequestFields).toBeUndefined();
    expect(convert({ messages: [{ role: 'user', content: 'Hi' }] }).additionalModelRequestFields).toBeUndefined();
  });

  it('hands Claude its own reasoning back first, with signatures, and drops reasoning of other formats', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Is 91 prime?' },
        {
          role: 'assistant',
          content: 'No: 7 × 13.',
          reasoning_details: [
            { type: 'reasoning.text', text: '91 = 7 × 13.', signature: 'sig-abc', format: 'anthropic-claude-v1', index: 0 },
            { type: 'reasoning.encrypted', data: 'cmVkYWN0ZWQ=', format: 'anthropic-claude-v1', index: 1 },
            { type: 'reasoning.text', text: 'from elsewhere', format: 'openai-responses-v1', index: 2 },
          ],
        },
        { role: 'user', content: 'And 97?' },
      ],
      reasoning: { max_tokens: 1024 },
    });

    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: '91 = 7 × 13.', signature: 'sig-abc' } } },
        { reasoningContent: { redactedContent: 'cmVkYWN0ZWQ=' } },
        { text: 'No: 7 × 13.' },
      ],
    });
  });

  it('places a cache point after the conversation for top-level cache_control', () => {
    const body = convert({ messages: [{ role: 'user', content: 'Long document…' }], cache_control: { type: 'ephemeral', ttl: '5m' } });

    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'Long document…' }, { cachePoint: { type: 'default', ttl: '5m' } }] }]);
  });
});
