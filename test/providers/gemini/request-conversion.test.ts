import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { convertRequest } from '../../../lib/providers/gemini/request-conversion.ts';
import { geminiCall, geminiEndpoint } from './support.ts';

const convert = (body: Record<string, unknown>, options: Parameters<typeof geminiCall>[1] = {}) =>
  convertRequest(geminiCall(body, options));

describe('convertRequest: messages', () => {
  it('moves system and developer messages to systemInstruction and maps roles to user/model', () => {
    const body = convert(
      {
        messages: [
          { role: 'system', content: 'You are a terse travel guide.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in one sentence.' }] },
          { role: 'user', content: 'Where should I eat in Porto?' },
          { role: 'assistant', content: 'Try a francesinha at Café Santiago.' },
          { role: 'user', content: 'And for dessert?' },
        ],
      },
      { maxTokens: 300 },
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'You are a terse travel guide.' }, { text: 'Answer in one sentence.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Where should I eat in Porto?' }] },
        { role: 'model', parts: [{ text: 'Try a francesinha at Café Santiago.' }] },
        { role: 'user', parts: [{ text: 'And for dessert?' }] },
      ],
      generationConfig: { maxOutputTokens: 300 },
    });
  });

  it('sends inline images as inlineData and remote ones as fileData with a guessed MIME type', () => {
    const body = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/photos/tram.webp?size=large' } },
            { type: 'image_url', image_url: { url: 'https://example.com/render' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { filename: 'menu.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'file', file: { filename: 'report.pdf', file_data: 'https://example.com/files/report' } },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Compare these.' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/photos/tram.webp?size=large' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render' } },
          { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/files/report' } },
        ],
      },
    ]);
  });

  it('refuses an image URL it cannot send, naming the field', () => {
    const call = geminiCall({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://example.com/a.png' } }] }],
    });
    expect(() => convertRequest(call)).toThrow(GatewayError);
    expect(() => convertRequest(call)).toThrow('`messages[0].content[0].image_url.url`');
  });
});

describe('convertRequest: tools', () => {
  const weatherTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          city: { type: 'string', description: 'City name' },
          unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit'] },
        },
        required: ['city'],
        additionalProperties: false,
      },
    },
  };

  it('declares functions with a Gemini-safe schema and maps tool_choice', () => {
    const body = convert({
      messages: [{ role: 'user', content: 'Weather in Porto?' }],
      tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }],
      tool_choice: 'required',
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: {
              type: 'object',
              properties: {
                city: { type: 'string', description: 'City name' },
                unit: { type: 'string', nullable: true, enum: ['celsius', 'fahrenheit'] },
              },
              required: ['city'],
            },
          },
          { name: 'get_time' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    [{ type: 'function', function: { name: 'get_weather' } }, { mode: 'ANY', allowedFunctionNames: ['get_weather'] }],
  ])('maps tool_choice %j', (choice, expected) => {
    const body = convert({ messages: [{ role: 'user', content: 'Hi' }], tools: [weatherTool], tool_choice: choice });
    expect(body.toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it('sends assistant tool calls as functionCall parts and tool results as functionResponse parts named after the call', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Weather in Porto and Lisbon?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Porto"}' } },
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0', content: '{"temperature":17,"sky":"cloudy"}' },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 24 °C' },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [weatherTool],
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Porto and Lisbon?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both.' },
          { functionCall: { name: 'get_weather', args: { city: 'Porto' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Lisbon' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 17, sky: 'cloudy' } } },
          { functionResponse: { name: 'get_weather', response: { result: 'Sunny, 24 °C' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'Which is warmer?' }] },
    ]);
  });

  it('treats empty arguments as no arguments', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'What time is it?' },
        { role: 'assistant', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_time', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'call_9', content: '12:00' },
      ],
    });
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_time', args: {} } }] });
  });

  it('refuses a tool result whose call it cannot find', () => {
    const call = geminiCall({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'tool', tool_call_id: 'call_missing', content: 'done' },
      ],
    });
    expect(() => convertRequest(call)).toThrow('`messages[1].tool_call_id`');
  });

  it('refuses tool-call arguments that are not a JSON object', () => {
    const call = geminiCall({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1,2]' } }] },
      ],
    });
    expect(() => convertRequest(call)).toThrow('`messages[1].tool_calls[0].function.arguments` must be a JSON object');
  });
});

describe('convertRequest: generationConfig', () => {
  const messages = [{ role: 'user', content: 'Hi' }];

  it('passes sampling parameters the endpoint supports and drops the others', () => {
    const request = {
      messages,
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      stop: ['END', ''],
    };
    expect(convert(request, { maxTokens: 512 }).generationConfig).toEqual({
      maxOutputTokens: 512,
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      stopSequences: ['END'],
    });
    const limited = geminiEndpoint({ supportedParameters: ['temperature', 'max_tokens'] });
    expect(convert(request, { maxTokens: 512, endpoint: limited }).generationConfig).toEqual({ maxOutputTokens: 512, temperature: 0.3 });
  });

  it('asks for JSON with the caller schema for json_schema, and JSON alone for json_object', () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer' } },
      required: ['city', 'population'],
      additionalProperties: false,
    };
    const body = convert({ messages, response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } } });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 1024, responseMimeType: 'application/json', responseJsonSchema: schema });
    const jsonObject = convert({ messages, response_format: { type: 'json_object' } });
    expect(jsonObject.generationConfig).toEqual({ maxOutputTokens: 1024, responseMimeType: 'application/json' });
  });

  it.each([
    [{ reasoning: { effort: 'high' } }, 10_000, { thinkingBudget: 8000, includeThoughts: true }],
    [{ reasoning: { effort: 'low' } }, 10_000, { thinkingBudget: 2000, includeThoughts: true }],
    [{ reasoning_effort: 'medium' }, 10_000, { thinkingBudget: 5000, includeThoughts: true }],
    [{ reasoning: { enabled: true } }, 4000, { thinkingBudget: 2000, includeThoughts: true }],
    [{ reasoning: { effort: 'minimal' } }, 1000, { thinkingBudget: 512, includeThoughts: true }],
    [{ reasoning: { effort: 'max' } }, 60_000, { thinkingBudget: 24_576, includeThoughts: true }],
    [{ reasoning: { max_tokens: 3000 } }, 10_000, { thinkingBudget: 3000, includeThoughts: true }],
    [{ reasoning: { max_tokens: 3000, exclude: true } }, 10_000, { thinkingBudget: 3000 }],
    [{ reasoning: {} }, 10_000, { includeThoughts: true }],
    [{ include_reasoning: true }, 10_000, { includeThoughts: true }],
    [{ reasoning: { effort: 'none' } }, 10_000, { thinkingBudget: 0 }],
    [{ reasoning: { enabled: false } }, 10_000, { thinkingBudget: 0 }],
  ])('maps %j with max tokens %i to thinkingConfig %j', (fields, maxTokens, expected) => {
    expect(convert({ messages, ...fields }, { maxTokens }).generationConfig.thinkingConfig).toEqual(expected);
  });

  it('sends no thinkingConfig when the caller says nothing, hides thoughts, or the endpoint cannot reason', () => {
    expect(convert({ messages }).generationConfig.thinkingConfig).toBeUndefined();
    expect(convert({ messages, include_reasoning: false }).generationConfig.thinkingConfig).toBeUndefined();
    const noReasoning = geminiEndpoint({ supportedParameters: ['max_tokens'] });
    expect(convert({ messages, reasoning: { effort: 'high' } }, { endpoint: noReasoning }).generationConfig.thinkingConfig).toBeUndefined();
  });
});
