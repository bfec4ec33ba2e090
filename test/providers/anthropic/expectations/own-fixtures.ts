// Expected events for the repository's own hand-written fixtures in test/fixtures/anthropic.
import type { EventSummary } from '../support/event-summary.ts';
import { expected, failure, finish, type ErrorExpectation } from './builders.ts';

/** Replies with a 2xx status (`stream-*.sse`, `response-*.json`), by file name. */
export const replies: Readonly<Record<string, EventSummary>> = {
  'response-max-tokens.json': expected({
    upstreamId: "msg_01Mt8yT1rE4wQ7aS0dF3gH6j",
    text: "Once upon a time, in a village by the sea, there lived a",
    textEvents: 1,
    end: finish("max_tokens", "length", { prompt: 12, completion: 16, cached: 0, cacheWrite: 0 }),
  }),
  'response-parallel-tool-use.json': expected({
    upstreamId: "msg_01Pt3oI6uY9tR2eW5qA8sD1f",
    toolCalls: [
      { index: 0, id: "toolu_01Lk8jH5gF2dS9aQ6wE3rT0y", name: "list_files", arguments: "{}", deltas: 1 },
      { index: 1, id: "toolu_01Mn0bV7cX4zL1kJ8hG5fD2s", name: "read_file", arguments: "{\"path\":\"README.md\"}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 230, completion: 74, cached: 0, cacheWrite: 0 }),
  }),
  'response-prompt-cache-read-and-write.json': expected({
    upstreamId: "msg_01Cr1tY4uI7oP0aS3dF6gH9j",
    text: "Section 3 covers termination.",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 3590, completion: 9, cached: 3072, cacheWrite: 512 }),
  }),
  // 1-hour cache writes (cache_creation.ephemeral_1h_input_tokens) priced apart from 5-minute ones.
  'response-prompt-cache-write-1h.json': expected({
    upstreamId: "msg_01Cw8hQ2rT5yU1iO4pA7sD0f",
    text: "The contract renews each January.",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 5650, completion: 9, cached: 1024, cacheWrite: 4608 }, { cacheWrite1hTokens: 4096 }),
  }),
  'response-redacted-thinking.json': expected({
    upstreamId: "msg_01Rr4eW7qA0sD3fG6hJ9kL2z",
    text: "Here is a safe way to do that.",
    textEvents: 1,
    encrypted: [
      { block: 0, data: "ZgOIKPlOBZSyw5GDUMl2jMr64E/CYGJA2l3XepDc…(320 chars, sha256 58bda4a60651)" },
    ],
    end: finish("end_turn", "stop", { prompt: 92, completion: 140, cached: 0, cacheWrite: 0 }),
  }),
  'response-refusal.json': expected({
    upstreamId: "msg_01Rx6vB9nM2lK5jH8gF1dS4a",
    end: finish("refusal", "content_filter", { prompt: 40, completion: 2, cached: 0, cacheWrite: 0 }),
  }),
  'response-stop-sequence.json': expected({
    upstreamId: "msg_01Ss2dF5gH8jK1lZ4xC7vB0n",
    text: "The capital of Portugal is ",
    textEvents: 1,
    end: finish("stop_sequence", "stop", { prompt: 28, completion: 6, cached: 0, cacheWrite: 0 }),
  }),
  'response-text-and-tool-use.json': expected({
    upstreamId: "msg_01Tu6iO9pA2sD5fG8hJ1kL4z",
    text: "Let me convert both amounts.",
    textEvents: 1,
    toolCalls: [
      { index: 0, id: "toolu_01Cv4bN7mL0kJ3hG6fD9sA2q", name: "convert_currency", arguments: "{\"amount\":120,\"from\":\"EUR\",\"to\":\"USD\"}", deltas: 1 },
      { index: 1, id: "toolu_01Xz7cV0bN3mL6kJ9hG2fD5s", name: "convert_currency", arguments: "{\"amount\":80,\"from\":\"GBP\",\"to\":\"USD\"}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 402, completion: 118, cached: 0, cacheWrite: 0 }),
  }),
  'response-text.json': expected({
    upstreamId: "msg_01Rt2yU5iO8pA1sD4fG7hJ0k",
    text: "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 14, completion: 16, cached: 0, cacheWrite: 0 }),
  }),
  'response-thinking-tool-use.json': expected({
    upstreamId: "msg_01Tt9uI2oP5aS8dF1gH4jK7l",
    text: "Let me check your timezone first.",
    textEvents: 1,
    reasoning: [
      { block: 0, text: "I need the user's timezone before I can answer.", signature: "xl2LqMxWzlruxUkVJYfSBN+4BcjFUvFg7Mn4+Dq4…(216 chars, sha256 3eff678e2f2a)" },
    ],
    toolCalls: [
      { index: 0, id: "toolu_01Bv6nM9lK2jH5gF8dS1aQ4w", name: "get_timezone", arguments: "{}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 310, completion: 88, cached: 0, cacheWrite: 0 }),
  }),
  'response-thinking.json': expected({
    upstreamId: "msg_01Tk5rE8wQ1aS4dF7gH0jK3l",
    text: "They meet after 2 hours.",
    textEvents: 1,
    reasoning: [
      { block: 0, text: "Two trains 300 km apart closing at 60 + 90 = 150 km/h meet after 2 hours.", signature: "I0A6Q3XSNf75wXuj2VUqc6OtiF84n+oW2rWB7JI2…(240 chars, sha256 93a6e9bd2835)" },
    ],
    end: finish("end_turn", "stop", { prompt: 58, completion: 96, cached: 0, cacheWrite: 0 }),
  }),
  'stream-error-overloaded.sse': expected({
    upstreamId: "msg_01Ov8lK5jH2gF9dS6aQ3wE0r",
    text: "Here is the first part of the summary",
    textEvents: 2,
    end: failure(503, 'provider_overloaded', true),
  }),
  'stream-max-tokens.sse': expected({
    upstreamId: "msg_01Mx2nB5vC8xZ1aS4dF7gH0j",
    text: "The planets, in order from the Sun:\n\n1. Mercury\n2. Venus\n3. Earth\n4. Mars\n5. Jup",
    textEvents: 3,
    end: finish("max_tokens", "length", { prompt: 18, completion: 32, cached: 0, cacheWrite: 0 }),
  }),
  'stream-parallel-tool-use-empty-input.sse': expected({
    upstreamId: "msg_01Ln4bV6cX9zM2qW5eR8tY3u",
    toolCalls: [
      { index: 0, id: "toolu_01Qw2eR4tY6uI8oP0aS3dF5g", name: "get_current_time", arguments: "{}", deltas: 1 },
      { index: 1, id: "toolu_01Zx3cV5bN7mL9kJ1hG4fD6s", name: "get_current_time", arguments: "{}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 388, completion: 58, cached: 0, cacheWrite: 0 }),
  }),
  'stream-prompt-cache-usage.sse': expected({
    upstreamId: "msg_01Cc7aH3eK9nP2sV6xB4zM8q",
    text: "The contract's renewal clause is in section 14.2.",
    textEvents: 2,
    end: finish("end_turn", "stop", { prompt: 8202, completion: 17, cached: 6150, cacheWrite: 2048 }),
  }),
  'stream-redacted-thinking.sse': expected({
    upstreamId: "msg_01Rd9mB4vC6xZ8aS2dF0gH3j",
    text: "I can't share how I reasoned about that, but the answer is no.",
    textEvents: 2,
    encrypted: [
      { block: 0, data: "3UtGX5KmX/2mkZdv5LO2rJmA4HrQnQdrzrP82omT…(400 chars, sha256 3bab45669863)" },
      { block: 1, data: "oRoNezXIf4ExMxrMPs7loCIFO+FCxJU4siEP+5Yj…(160 chars, sha256 1bbdfbde587f)" },
    ],
    end: finish("end_turn", "stop", { prompt: 77, completion: 152, cached: 0, cacheWrite: 0 }),
  }),
  'stream-refusal.sse': expected({
    upstreamId: "msg_01Rf3gH6jK9lZ2xC5vB8nM1q",
    text: "I can't help with that.",
    textEvents: 1,
    end: finish("refusal", "content_filter", { prompt: 45, completion: 9, cached: 0, cacheWrite: 0 }),
  }),
  'stream-stop-sequence.sse': expected({
    upstreamId: "msg_01St5pQ8wE1rT4yU7iO0pA3s",
    text: "SELECT name, email\nFROM users\nWHERE active = true;\n",
    textEvents: 2,
    end: finish("stop_sequence", "stop", { prompt: 30, completion: 19, cached: 0, cacheWrite: 0 }),
  }),
  'stream-text.sse': expected({
    upstreamId: "msg_01Hq3vT8cWbZ4nXkD2pLmR7s",
    text: "Lisbon sits on seven hills above the Tagus estuary, and its trams climb them all day. ☀️ Enjoy the view!",
    textEvents: 4,
    end: finish("end_turn", "stop", { prompt: 21, completion: 27, cached: 0, cacheWrite: 0 }),
  }),
  'stream-thinking.sse': expected({
    upstreamId: "msg_01Th6kN2wQ8rT4yU0iP5aS7d",
    text: "17 × 23 = 391.",
    textEvents: 2,
    reasoning: [
      { block: 0, text: "The user wants 17 × 23. 17 × 20 = 340, 17 × 3 = 51, so 391.", signature: "6lc9OJNUlI3HDbduJ6xOoIlEsroG7AX3SHKfck7f…(296 chars, sha256 50f377cdca8f)" },
    ],
    end: finish("end_turn", "stop", { prompt: 64, completion: 71, cached: 0, cacheWrite: 0 }),
  }),
  // Programmatic tool calling: the tool call and the stop reason arrive in message_start, no content block follows.
  'stream-message-start-tool-use.sse': expected({
    upstreamId: "msg_01Pq7wE2rT5yU8iO1pA4sD6f",
    toolCalls: [
      { index: 0, id: "toolu_01Qw3eR6tY9uI2oP5aS8dF1g", name: "query_database", arguments: "{\"sql\":\"SELECT region, SUM(revenue) FROM sales GROUP BY region\"}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 1840, completion: 212, cached: 0, cacheWrite: 0 }),
  }),
  // A second message (another id) spliced in while the first is open: an upstream failure, not one merged reply.
  'stream-prompt-cache-write-1h.sse': expected({
    upstreamId: "msg_01Cx9jR3sU6zV2jP5qB8tE1g",
    text: "Renewal is each January.",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 4626, completion: 8, cached: 0, cacheWrite: 4608 }, { cacheWrite1hTokens: 4096 }),
  }),
  'stream-second-message-start.sse': expected({
    upstreamId: "msg_01Sm5tR8yU1iO4pA7sD0fG3h",
    toolCalls: [
      { index: 0, id: "toolu_01Rt6yU9iO2pA5sD8fG1hJ4k", name: "create_ticket", arguments: "{\"title\": \"Café machine é", deltas: 1 },
    ],
    end: failure(502, 'provider_unavailable', true),
  }),
  'stream-tool-use-args-split.sse': expected({
    upstreamId: "msg_01Tz8QeR5uVnB3kY7wJcXa2d",
    text: "I'll look up the weather in both cities.",
    textEvents: 2,
    toolCalls: [
      { index: 0, id: "toolu_01AbX7cK2mQ9sV4wR8tN3pLf", name: "get_weather", arguments: "{\"city\": \"Lisbon\", \"unit\": \"celsius\"}", deltas: 5 },
      { index: 1, id: "toolu_01Gh5jL9pW3eR7yU1iO6aS2d", name: "get_weather", arguments: "{\"city\": \"Porto\", \"unit\": \"celsius\"}", deltas: 2 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 512, completion: 96, cached: 0, cacheWrite: 0 }),
  }),
  'stream-truncated.sse': expected({
    upstreamId: "msg_01Tr4uY7iO0pA3sD6fG9hJ2k",
    text: "Step one: preheat the oven to 200",
    textEvents: 2,
    end: failure(502, 'provider_unavailable', true),
  }),
};

/** Error replies (`error-<status>-*.json`, served with that status), by file name. */
export const errors: Readonly<Record<string, ErrorExpectation>> = {
  'error-400-invalid-request.json': {
    status: 400,
    type: 'invalid_request',
    retryable: false,
    providerCode: 'invalid_request_error',
    publicMessage: 'messages.1.content.0.tool_result: tool_use_id does not match any tool_use block in the previous message',
  },
  'error-400-prompt-too-long.json': {
    status: 400,
    type: 'context_length_exceeded',
    retryable: false,
    providerCode: 'invalid_request_error',
    publicMessage: 'prompt is too long: 212480 tokens > 200000 maximum',
  },
  'error-401-authentication.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'authentication_error' },
  'error-403-permission.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'permission_error' },
  'error-404-not-found.json': {
    status: 404,
    type: 'not_found',
    retryable: false,
    providerCode: 'not_found_error',
    publicMessage: 'model: claude-sonnet-9',
  },
  'error-413-request-too-large.json': {
    status: 413,
    type: 'payload_too_large',
    retryable: false,
    providerCode: 'request_too_large',
    publicMessage: 'Request exceeds the maximum allowed number of bytes.',
  },
  'error-429-rate-limit.json': {
    status: 429,
    type: 'rate_limit_exceeded',
    retryable: true,
    providerCode: 'rate_limit_error',
    publicMessage: 'The provider is rate limiting requests',
  },
  'error-500-api-error.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'api_error' },
  'error-529-overloaded.json': { status: 503, type: 'provider_overloaded', retryable: true, providerCode: 'overloaded_error' },
};
