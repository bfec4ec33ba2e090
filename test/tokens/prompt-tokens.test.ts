import { describe, expect, it } from 'vitest';
import { chatRequest, type ChatRequest } from '../../lib/api/chat-request.ts';
import {
  countPromptTokens,
  countTextPromptTokens,
  IMAGE_TOKENS,
  LOW_DETAIL_IMAGE_TOKENS,
  OTHER_MEDIA_PART_TOKENS,
} from '../../lib/tokens/prompt-tokens.ts';
import { createTokenCounters, type TokenCounter } from '../../lib/tokens/token-counters.ts';

const counters = createTokenCounters();
const o200k = await counters.forEncoding('o200k_base');
const cl100k = await counters.forEncoding('cl100k_base');

const request = (body: Record<string, unknown>): ChatRequest => chatRequest.parse({ model: 'openai/gpt-4o', ...body });

/** One token per character: makes the framing arithmetic visible. */
const characterCounter: TokenCounter = { encoding: 'o200k_base', countText: (text) => text.length };

// OpenAI's cookbook "How to count tokens with tiktoken" §6: the API reported
// 124 prompt tokens for gpt-4o and gpt-4o-mini, 129 for gpt-4 and gpt-3.5-turbo.
const jargonMessages = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

// The cookbook's §7: the API reported 101 prompt tokens for gpt-4o and
// gpt-4o-mini, 105 for gpt-4 and gpt-3.5-turbo.
const weatherTools = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['location'],
      },
    },
  },
];
const weatherMessages = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

describe('countPromptTokens, against the counts OpenAI documents', () => {
  it('counts the cookbook conversation as the API did', () => {
    const jargon = request({ messages: jargonMessages });
    expect(countPromptTokens(jargon, o200k)).toBe(124);
    expect(countPromptTokens(jargon, cl100k)).toBe(129);
  });

  it('counts the cookbook tool definition as the API did', () => {
    const weather = request({ messages: weatherMessages, tools: weatherTools });
    expect(countPromptTokens(weather, o200k)).toBe(101);
    expect(countPromptTokens(weather, cl100k)).toBe(105);
  });
});

describe('countPromptTokens, message framing', () => {
  it('frames each message with 3 tokens and its role, and primes the reply with 3', () => {
    // 3 + "user" (4) + "hi" (2), then 3 for the reply.
    expect(countPromptTokens(request({ messages: [{ role: 'user', content: 'hi' }] }), characterCounter)).toBe(12);
    // "user" and "hi" are one token each in o200k_base.
    expect(countPromptTokens(request({ messages: [{ role: 'user', content: 'hi' }] }), o200k)).toBe(8);
  });

  it('adds a name and 1 token for it', () => {
    const named = request({ messages: [{ role: 'user', name: 'ann', content: 'hi' }] });
    expect(countPromptTokens(named, characterCounter)).toBe(12 + 3 + 1);
  });

  it('counts an empty message as its framing alone', () => {
    expect(countPromptTokens(request({ messages: [{ role: 'user', content: '' }] }), characterCounter)).toBe(3 + 4 + 3);
    expect(countPromptTokens(request({ messages: [{ role: 'user', content: [] }] }), o200k)).toBe(3 + 1 + 3);
  });

  it('counts unicode and emoji content by the encoding', () => {
    const greeting = request({ messages: [{ role: 'user', content: 'お誕生日おめでとう 🎉' }] });
    expect(countPromptTokens(greeting, o200k)).toBe(3 + 1 + o200k.countText('お誕生日おめでとう 🎉') + 3);
    expect(o200k.countText('お誕生日おめでとう 🎉')).toBe(10);
    expect(cl100k.countText('お誕生日おめでとう 🎉')).toBe(12);
  });

  it("counts an assistant's tool calls (name, arguments, 3 each), refusal and reasoning, and a tool result's content", () => {
    const conversation = request({
      messages: [
        { role: 'user', content: 'w' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }],
          reasoning: 'think',
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'assistant', content: '', refusal: 'no' },
      ],
    });
    const user = 3 + 'user'.length + 1;
    const callingAssistant = 3 + 'assistant'.length + ('get'.length + '{"a":1}'.length + 3) + 'think'.length;
    const tool = 3 + 'tool'.length + 'sunny'.length;
    const refusingAssistant = 3 + 'assistant'.length + 'no'.length;
    expect(countPromptTokens(conversation, characterCounter)).toBe(user + callingAssistant + tool + refusingAssistant + 3);
  });

  it('counts text parts by their text, images by their detail, other media at a flat rate', () => {
    const parts = request({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'abc' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' } },
          ],
        },
      ],
    });
    expect(LOW_DETAIL_IMAGE_TOKENS).toBe(85);
    expect(IMAGE_TOKENS).toBe(4 * 170 + 85);
    const content = 3 + LOW_DETAIL_IMAGE_TOKENS + 2 * IMAGE_TOKENS + 2 * OTHER_MEDIA_PART_TOKENS;
    expect(countPromptTokens(parts, characterCounter)).toBe(3 + 'user'.length + content + 3);
  });

  it("counts a json_schema response format's schema as JSON text", () => {
    const schema = { name: 'answer', schema: { type: 'object' } };
    const structured = request({ messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: schema } });
    expect(countPromptTokens(structured, characterCounter)).toBe(12 + JSON.stringify(schema).length);
  });
});

describe('countPromptTokens, tool definitions', () => {
  const one = (parameters?: Record<string, unknown>, description?: string): ChatRequest =>
    request({
      messages: [{ role: 'user', content: '' }],
      tools: [{ type: 'function', function: { name: 'f', ...(description === undefined ? {} : { description }), ...(parameters === undefined ? {} : { parameters }) } }],
    });
  const framing = 3 + 'user'.length + 3;

  it('counts a tool without parameters as its name line and the framing of 7 + 12 tokens', () => {
    expect(countPromptTokens(one(), characterCounter)).toBe(framing + 7 + 'f:'.length + 12);
    // cl100k_base's models start a tool with 10 tokens instead of 7.
    expect(countPromptTokens(one(undefined, 'Does f.'), cl100k) - countPromptTokens(one(undefined, 'Does f.'), o200k)).toBe(3);
  });

  it('drops one final period from descriptions, as the cookbook does', () => {
    expect(countPromptTokens(one(undefined, 'Does f.'), characterCounter)).toBe(countPromptTokens(one(undefined, 'Does f'), characterCounter));
  });

  it('counts each property as its key:type:description line and 3 tokens, and enums by their values', () => {
    const parameters = {
      type: 'object',
      properties: { city: { type: 'string', description: 'Name.' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    };
    const properties = 3 + (3 + 'city:string:Name'.length) + (3 + 'unit:string:'.length - 3 + (3 + 1) + (3 + 1));
    expect(countPromptTokens(one(parameters), characterCounter)).toBe(framing + 7 + 'f:'.length + properties + 12);
  });

  it('counts what the formula leaves out (nested schemas, $defs) as JSON text, so nesting is not free', () => {
    const items = { type: 'object', properties: { sku: { type: 'string' } } };
    const parameters = { type: 'object', properties: { lines: { type: 'array', items } }, $defs: { money: { type: 'number' } } };
    const properties = 3 + 3 + 'lines:array:'.length + JSON.stringify({ items }).length;
    const extras = JSON.stringify({ $defs: { money: { type: 'number' } } }).length;
    expect(countPromptTokens(one(parameters), characterCounter)).toBe(framing + 7 + 'f:'.length + extras + properties + 12);
  });
});

describe('countTextPromptTokens', () => {
  it('counts a legacy prompt as plain text, with no chat framing', () => {
    expect(countTextPromptTokens('tiktoken is great!', o200k)).toBe(6);
    expect(countTextPromptTokens(['tiktoken is great!', '2 + 2 = 4'], cl100k)).toBe(6 + 7);
    expect(countTextPromptTokens('', o200k)).toBe(0);
  });
});
