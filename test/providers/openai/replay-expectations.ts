// What each replayed recording must turn into: the shared corpus (read from
// ../shared when present) and the repository's own fixtures.
import { expect } from 'vitest';
import type { ErrorType, GatewayError } from '../../../lib/api/errors.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { finish, usage, type EventSummary } from './support.ts';

/** The reply summarised; fields left out are empty. */
export type ExpectedReply = Partial<Omit<EventSummary, 'last'>> & { last: StreamEvent };
export interface ExpectedError {
  status: number;
  type: ErrorType;
  retryable: boolean;
  providerCode?: string;
  message?: string;
  retryAfterMs?: number;
}

const usageFromOpenai = (prompt: number, completion: number, reasoningTokens = 0, cachedTokens = 0) =>
  usage(prompt, completion, { reasoningTokens, cachedTokens });

export const sharedExpectations: Record<string, ExpectedReply | ExpectedError> = {
  'stream-finish-length-with-usage.sse': {
    upstreamId: 'chatcmpl-C4Hq5a6K3RaPMymUv70btQNYv6SvY',
    last: finish('length', 'length', usageFromOpenai(12, 100, 100)),
  },
  'stream-finish-length.sse': {
    upstreamId: 'chatcmpl-CoDWtmOB2DZI2l0bK84UVJEMpo63W',
    systemFingerprint: 'fp_deacdd5f6f',
    text: 'Here is a list of all 50 U.S. states:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9. Florida\n10',
    textDeltas: 50,
    last: finish('length', 'length', usageFromOpenai(14, 50)),
  },
  'stream-parallel-tool-calls.sse': {
    upstreamId: 'chatcmpl-CoDWpGC47t2wtJ7PYJq9LCn0IZunc',
    systemFingerprint: 'fp_e413f45763',
    toolCalls: [
      { index: 0, id: 'call_M26z19sncd7b4LBgzKRRbaUE', name: 'secret_retrieval_tool', arguments: '{"password": "mellon"}' },
      { index: 1, id: 'call_KPXe5NX7IcKkaBUhc6dto2QV', name: 'secret_retrieval_tool', arguments: '{"password": "radiance"}' },
    ],
    argumentDeltas: 10,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(75, 53)),
  },
  'stream-refusal.sse': {
    upstreamId: 'chatcmpl-CoDWxLsl1kVbpr74j0IN577ELqIIt',
    systemFingerprint: 'fp_deacdd5f6f',
    refusal: "I'm very sorry, but I can't assist with that request.",
    last: finish('stop', 'stop', usageFromOpenai(64, 13)),
  },
  'stream-text-no-usage.sse': {
    upstreamId: 'chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp',
    text: 'Hi there! How can I help today? I can answer questions, explain concepts, help with writing or brainstorming, code, plan something, and more. Tell me what you’d like to work on or a topic you’re curious about.',
    textDeltas: 48,
    last: finish('stop', 'stop', undefined),
  },
  'stream-text-with-usage.sse': {
    upstreamId: 'chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc',
    systemFingerprint: 'fp_d0469e1700',
    text: 'The capital of the UK is London.',
    textDeltas: 8,
    last: finish('stop', 'stop', usageFromOpenai(78, 9)),
  },
  'stream-tool-call.sse': {
    upstreamId: 'chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl',
    systemFingerprint: 'fp_d0469e1700',
    toolCalls: [{ index: 0, id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', arguments: '{"country":"UK"}' }],
    argumentDeltas: 5,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(53, 15)),
  },
  'response-azure-content-filter-results.json': {
    upstreamId: 'chatcmpl-CM9n9OhFOl4lSSFwarLEIMnPrNWSP',
    text: 'Hi there! How can I help today? I can answer questions, brainstorm ideas, write or edit text, explain concepts, help with coding, plan projects, translate languages, or just chat. What would you like to do? If you’re not sure, tell me a topic you’re curious about and I’ll give you a quick rundown.',
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(8, 271, 192)),
  },
  'response-finish-length-truncated-text.json': {
    upstreamId: 'chatcmpl-CRkRCD45LL6P2L6mVxv5bX1UuLCsM',
    systemFingerprint: 'fp_eb3c3cb84d',
    text: 'Certainly! Here is a list of all 50 U.S. states:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9. Florida',
    textDeltas: 1,
    last: finish('length', 'length', usageFromOpenai(14, 50)),
  },
  'response-finish-length.json': {
    upstreamId: 'chatcmpl-C4Hn7cxHHDt210R3NWm4trTgiLkrA',
    last: finish('length', 'length', usageFromOpenai(12, 100, 100)),
  },
  'response-parallel-tool-calls.json': {
    upstreamId: 'chatcmpl-CRkQLoUbXLK7jHgn0ahxbdvo6XWOD',
    systemFingerprint: 'fp_cbf1785567',
    toolCalls: [
      { index: 0, id: 'call_v6LacIrChvs6ITVpIZqy5tFc', name: 'secret_retrieval_tool', arguments: '{"password": "mellon"}' },
      { index: 1, id: 'call_onyWzk4mLTGKzW9cthmf4Llq', name: 'secret_retrieval_tool', arguments: '{"password": "radiance"}' },
    ],
    argumentDeltas: 2,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(75, 53)),
  },
  'response-prompt-cache-hit.json': {
    upstreamId: 'chatcmpl-CoIbg5F6HZCaOSKFg6j7e3TJqyMdP',
    systemFingerprint: 'fp_e413f45763',
    text: "\"Ah, the most important meal of the day, it is! Start your morning like a true Jedi with a nutritious breakfast that even Yoda would approve of. How about some Bantha blue milk pancakes with a side of roasted Porg eggs? They're sure to give you the energy of an entire squad of Clone Troopers! If you're feeling more like a scoundrel today, opt for a stack of Wookiee-approved Waffles with Kowakian monkey-lizard syrup. Punch it, Chewie, and remember: 'This is the Way' to start your day!\"",
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(3663, 117, 0, 3584)),
  },
  'response-reasoning-usage.json': {
    upstreamId: 'chatcmpl-BgzadlOEkRTXYim8s2TzQfnSpaZ4u',
    systemFingerprint: 'fp_e20469f047',
    text: 'The capital of Mexico is Mexico City. It is not only the seat of the federal government but also a major cultural, political, and economic center in the country.',
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(13, 238, 192)),
  },
  'response-refusal.json': {
    upstreamId: 'chatcmpl-CRkRkic1yC57Px3ahQq6yQbltDlWK',
    systemFingerprint: 'fp_cbf1785567',
    refusal: "I'm very sorry, but I can't assist with that request.",
    last: finish('stop', 'stop', usageFromOpenai(64, 13)),
  },
  'response-stop-sequence.json': {
    upstreamId: 'chatcmpl-BfUgyreG4fpnDXvHKXtRkevWb6i3p',
    systemFingerprint: 'fp_e20469f047',
    text: 'The capital of France is ',
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(31, 467, 448)),
  },
  'response-text.json': {
    upstreamId: 'chatcmpl-CoIbfSKunumeVgNFXA00SzReazEt2',
    systemFingerprint: 'fp_e413f45763',
    text: '"General Kenobi!" A surprise to be sure, but a welcome one. How may I assist you on your galactic journey today?',
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(3659, 28)),
  },
  'response-tool-call.json': {
    upstreamId: 'chatcmpl-BEhL3fZWgTz2Z57jXexYbQPsOBUm3',
    systemFingerprint: 'fp_b8bc95a0ac',
    toolCalls: [{ index: 0, id: 'call_SkEQ3ZGSJC8m6AvaIGNuuKdm', name: 'get_capital', arguments: '{"country":"England"}' }],
    argumentDeltas: 1,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(104, 16)),
  },
  'error-400-unsupported-parameter.json': {
    status: 400,
    type: 'invalid_request',
    retryable: false,
    providerCode: 'unsupported_parameter',
    message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
  },
  'error-400-unsupported-value.json': {
    status: 400,
    type: 'invalid_request',
    retryable: false,
    providerCode: 'unsupported_value',
    message: "Unsupported value: 'messages[0].role' does not support 'system' with this model.",
  },
  'error-401-invalid-api-key.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'invalid_api_key' },
  'error-404-model-not-found.json': {
    status: 404,
    type: 'not_found',
    retryable: false,
    providerCode: 'model_not_found',
    message: 'The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.',
  },
  'error-429-insufficient-quota.json': { status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'insufficient_quota' },
};

const streamFailure = (message: string, retryable: boolean): StreamEvent => ({
  type: 'error',
  error: expect.objectContaining({ status: 502, type: 'provider_unavailable', retryable, message, provider: 'Acme AI' }) as GatewayError,
});

export const ownExpectations: Record<string, ExpectedReply | ExpectedError | StreamEvent[]> = {
  'stream-text-with-usage.sse': {
    upstreamId: 'chatcmpl-BxQ7mK2fT9aLpZr4nVw1sYhU3dE8c',
    systemFingerprint: 'fp_560af6e559',
    text: 'Hello! How can I help you today?',
    textDeltas: 9,
    last: finish('stop', 'stop', usageFromOpenai(1290, 10, 0, 1152)),
  },
  'stream-text-no-usage.sse': {
    upstreamId: 'chatcmpl-BxQ8aa1Yc3kqV0oTnM2wEeR7uJpLs',
    systemFingerprint: 'fp_38343a2f8f',
    text: 'Sure, here you go.',
    textDeltas: 6,
    last: finish('stop', 'stop', undefined),
  },
  'stream-parallel-tool-calls.sse': {
    upstreamId: 'chatcmpl-BxQ9pT4rW8eNs2LkYc6vHa0JfGm1Q',
    systemFingerprint: 'fp_07871e2ad8',
    toolCalls: [
      { index: 0, id: 'call_8fJ2kQ0wLxT5nB3vR7yZ1cPa', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
      { index: 1, id: 'call_Q4mN9sD2hK7pW1xC5vB8jL0e', name: 'get_time', arguments: '{"tz": "Europe/Paris"}' },
    ],
    argumentDeltas: 8,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(142, 51)),
  },
  'stream-finish-length.sse': {
    upstreamId: 'chatcmpl-BxQAu7hG3jK9mP2sD5fL8nQ1wE4rT',
    text: 'The first ten primes are 2, 3, 5',
    textDeltas: 8,
    last: finish('length', 'length', usageFromOpenai(25, 64, 56)),
  },
  'stream-refusal.sse': {
    upstreamId: 'chatcmpl-BxQBr2eW6tY9uI3oP5aS8dF1gH4jK',
    systemFingerprint: 'fp_a288987b44',
    refusal: "I'm sorry, I can't help with that.",
    last: finish('stop', 'stop', usageFromOpenai(88, 9)),
  },
  'stream-reasoning-content-vllm.sse': {
    upstreamId: 'chatcmpl-5c1f0e8a2b7d4e9f8a6b3c2d1e0f9a8b',
    reasoning: 'The user asks for 2+2. That is 4.',
    text: '2 + 2 = 4',
    textDeltas: 3,
    last: finish('stop', 'stop', usage(18, 29)),
  },
  'stream-reasoning-groq.sse': {
    upstreamId: 'chatcmpl-2d7b9e4f-1a3c-4b5d-8e6f-0a1b2c3d4e5f',
    systemFingerprint: 'fp_4a19b1544c',
    reasoning: 'Need a short greeting.',
    text: 'Hi!',
    textDeltas: 2,
    last: finish('stop', 'stop', usage(80, 21)),
  },
  // Mistral's reasoning models: `content` as an array of thinking and text parts, streamed and whole.
  'stream-content-parts-thinking-mistral.sse': {
    upstreamId: '8f3c2a1b9d7e4f6a8b0c1d2e3f4a5b6c',
    reasoning: "Le client veut 12 × 12 : c'est 144.",
    text: '12 × 12 = 144.',
    textDeltas: 2,
    last: finish('stop', 'stop', usage(21, 66)),
  },
  'response-content-parts-thinking-mistral.json': {
    upstreamId: '4b6c8f3c2a1b9d7e4f6a8b0c1d2e3f4a',
    reasoning: "Le client veut 12 × 12 : c'est 144.",
    text: '12 × 12 = 144.',
    textDeltas: 1,
    last: finish('stop', 'stop', usage(21, 66)),
  },
  // xAI: completion_tokens (2) leave out the 340 reasoning tokens; billed as produced.
  'stream-reasoning-xai.sse': {
    upstreamId: '3f0b7c2e-9a41-4d6e-b8c5-1e2f3a4b5c6d',
    systemFingerprint: 'fp_9a3c1b7e2d',
    text: 'Paris.',
    textDeltas: 2,
    last: finish('stop', 'stop', usage(710, 342, { reasoningTokens: 340, cachedTokens: 640 })),
  },
  'response-image-input-xai.json': {
    upstreamId: '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f',
    systemFingerprint: 'fp_9a3c1b7e2d',
    text: 'A red bicycle leaning on a wall.',
    textDeltas: 1,
    last: finish('stop', 'stop', usage(1290, 321, { reasoningTokens: 312, imagePromptTokens: 1256 })),
  },
  // DeepSeek: completion_tokens include reasoning; cache reads as prompt_cache_hit_tokens too.
  'response-reasoning-deepseek.json': {
    upstreamId: 'b2c4e6f8-0a1c-4e3f-9b5d-7f9a1c3e5b7d',
    systemFingerprint: 'fp_8802369eaa_prod0623_fp8_kvcache',
    reasoning: 'Compare 9.11 and 9.9: 9.9 = 9.90, and 0.11 < 0.90.',
    text: '9.11 is smaller than 9.9.',
    textDeltas: 1,
    last: finish('stop', 'stop', usage(2061, 431, { reasoningTokens: 402, cachedTokens: 1920 })),
  },
  // OpenAI audio input: counted in prompt_tokens_details.audio_tokens.
  'response-audio-input.json': {
    upstreamId: 'chatcmpl-CkA1u9d2Vb7nRt4yQ8wE3sZ6xP0mL',
    systemFingerprint: 'fp_b2f4e6a8c0',
    text: 'The speaker asks for the weather in Lisbon.',
    textDeltas: 1,
    last: finish('stop', 'stop', usage(96, 11, { audioPromptTokens: 78 })),
  },
  // OpenRouter as an upstream: SSE comments while it routes, usage with cost and cache writes.
  'stream-usage-cost-openrouter.sse': {
    upstreamId: 'gen-1765059600-Qx7mK2fT9aLpZr4nVw1s',
    text: 'Olá! Tudo bem?',
    textDeltas: 2,
    last: finish('stop', 'stop', usage(2315, 12, { cacheWriteTokens: 2300 })),
  },
  // Azure OpenAI: a first chunk with no choices and an empty id (the prompt's filter results), then OpenAI's chunks.
  'stream-text-azure.sse': {
    upstreamId: 'chatcmpl-CkZ4a7bC0dE3fG6hI9jK2lM5nO8p',
    systemFingerprint: 'fp_ee1d74bde0',
    text: 'Bom dia!',
    textDeltas: 2,
    last: finish('stop', 'stop', usage(11, 4)),
  },
  'response-content-filter-azure.json': {
    upstreamId: 'chatcmpl-CkZ5b8cD1eF4gH7iJ0kL3mN6oP9q',
    systemFingerprint: 'fp_ee1d74bde0',
    text: 'The duel ended when',
    textDeltas: 1,
    last: finish('content_filter', 'content_filter', usage(19, 5)),
  },
  'stream-comments-multiline-utf8.sse': [
    { type: 'start', upstreamId: 'chatcmpl-BxQGh4jK7lZ0xC3vB6nM9qW2eR5tY', systemFingerprint: 'fp_560af6e559' },
    { type: 'text', text: 'Café ' },
    { type: 'text', text: '日本語 ' },
    { type: 'text', text: '🚀 ünïcödé' },
    finish('stop', 'stop', usageFromOpenai(11, 9)),
  ],
  'stream-cut-before-finish.sse': [
    { type: 'start', upstreamId: 'chatcmpl-BxQCd9fG2hJ5kL8zX1cV4bN7mQ0wE', systemFingerprint: 'fp_560af6e559' },
    { type: 'text', text: 'Once' },
    { type: 'text', text: ' upon' },
    { type: 'text', text: ' a' },
    streamFailure('Provider sent a stream that ended before finishing', false),
  ],
  'stream-done-before-finish.sse': [
    { type: 'start', upstreamId: 'chatcmpl-BxQDe1rT4yU7iO0pA3sD6fG9hJ2kL', systemFingerprint: 'fp_560af6e559' },
    { type: 'text', text: 'Partial' },
    { type: 'text', text: ' answer' },
    streamFailure('Provider sent a stream that ended before finishing', false),
  ],
  'stream-malformed-frame.sse': [
    { type: 'start', upstreamId: 'chatcmpl-BxQEf2gH5jK8lZ1xC4vB7nM0qW3eR', systemFingerprint: 'fp_560af6e559' },
    { type: 'text', text: 'Good' },
    streamFailure('Provider sent a malformed stream frame', false),
  ],
  'stream-error-chunk.sse': [
    { type: 'start', upstreamId: 'chatcmpl-BxQFg3hJ6kL9zX2cV5bN8mQ1wE4rT', systemFingerprint: 'fp_560af6e559' },
    { type: 'text', text: 'Let' },
    { type: 'text', text: ' me' },
    {
      type: 'error',
      error: expect.objectContaining({ status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'server_error' }) as GatewayError,
    },
  ],
  'response-text.json': {
    upstreamId: 'chatcmpl-BxQHj5kL8zX1cV4bN7mQ0wE3rT6yU',
    systemFingerprint: 'fp_560af6e559',
    text: 'Paris is the capital of France.',
    textDeltas: 1,
    last: finish('stop', 'stop', usageFromOpenai(1301, 8, 0, 1280)),
  },
  'response-parallel-tool-calls.json': {
    upstreamId: 'chatcmpl-BxQIk6lZ9xC2vB5nM8qW1eR4tY7uI',
    systemFingerprint: 'fp_07871e2ad8',
    toolCalls: [
      { index: 0, id: 'call_3hT8vN1qR6wK0zL4xB9mC2pF', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
      { index: 1, id: 'call_7jD2sG5kP0aM3nV8cX1bZ4qW', name: 'get_time', arguments: '{"tz": "Europe/Paris"}' },
    ],
    argumentDeltas: 2,
    last: finish('tool_calls', 'tool_calls', usageFromOpenai(142, 51)),
  },
  'response-refusal.json': {
    upstreamId: 'chatcmpl-BxQJl7zX0cV3bN6mQ9wE2rT5yU8iO',
    systemFingerprint: 'fp_a288987b44',
    refusal: "I'm sorry, I can't help with that.",
    last: finish('stop', 'stop', usageFromOpenai(88, 9)),
  },
  'response-finish-length.json': {
    upstreamId: 'chatcmpl-BxQKm8xC1vB4nM7qW0eR3tY6uI9oP',
    last: finish('length', 'length', usageFromOpenai(25, 64, 64)),
  },
  'response-reasoning-content-vllm.json': {
    upstreamId: 'chatcmpl-8e2a1f0c3b4d5e6f7a8b9c0d1e2f3a4b',
    reasoning: 'The user asks for 2+2. That is 4.',
    text: '2 + 2 = 4',
    textDeltas: 1,
    last: finish('stop', 'stop', usage(18, 29)),
  },
  'error-400-context-length-exceeded.json': {
    status: 400,
    type: 'context_length_exceeded',
    retryable: false,
    providerCode: 'context_length_exceeded',
    message:
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
  },
  'error-400-vllm-flat-body.json': {
    status: 400,
    type: 'invalid_request',
    retryable: false,
    providerCode: 'BadRequestError',
    message: "'max_tokens' must be less than or equal to 'max_model_len'",
  },
  'error-401-invalid-api-key.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'invalid_api_key' },
  'error-403-unsupported-country.json': {
    status: 502,
    type: 'provider_unavailable',
    retryable: true,
    providerCode: 'unsupported_country_region_territory',
  },
  'error-404-model-not-found.json': { status: 404, type: 'not_found', retryable: false, providerCode: 'model_not_found' },
  'error-429-rate-limit-exceeded.json': { status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'rate_limit_exceeded' },
  'error-500-server-error.json': {
    status: 502,
    type: 'provider_unavailable',
    retryable: true,
    providerCode: 'server_error',
    message: 'Provider returned error 500',
  },
  'error-503-overloaded.json': { status: 503, type: 'provider_overloaded', retryable: true, providerCode: 'server_error' },
};
