// Expected events for the real recordings in ../shared/fixtures/anthropic (read in place, never copied).
import type { EventSummary } from '../support/event-summary.ts';
import { expected, failure, finish, type ErrorExpectation } from './builders.ts';

/** Replies with a 2xx status (`stream-*.sse`, `response-*.json`), by file name. */
export const replies: Readonly<Record<string, EventSummary>> = {
  'response-max-tokens.json': expected({
    upstreamId: "msg_01H4DkHv74hd1Js6v6mJyomp",
    text: "Here are all 50 U.S. states in alphabeti…(150 chars, sha256 62b67cf9f197)",
    textEvents: 1,
    end: finish("max_tokens", "length", { prompt: 15, completion: 50, cached: 0, cacheWrite: 0 }),
  }),
  'response-parallel-tool-use.json': expected({
    upstreamId: "msg_011S3wxtqL5CVescWqS3zeg2",
    text: "I'll help you find out who is the younge…(156 chars, sha256 45d112edf129)",
    textEvents: 1,
    toolCalls: [
      { index: 0, id: "toolu_0167cfEnoQaPviGdVXA95zcu", name: "retrieve_entity_info", arguments: "{\"name\":\"Alice\"}", deltas: 1 },
      { index: 1, id: "toolu_01EEe2V5HD1Ac4rKiUR4HD2T", name: "retrieve_entity_info", arguments: "{\"name\":\"Bob\"}", deltas: 1 },
      { index: 2, id: "toolu_01XFyAjstT3966qvRynZyVPo", name: "retrieve_entity_info", arguments: "{\"name\":\"Charlie\"}", deltas: 1 },
      { index: 3, id: "toolu_013mnQZbgtK2oe3Mo3XKJsx3", name: "retrieve_entity_info", arguments: "{\"name\":\"Daisy\"}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 423, completion: 202, cached: 0, cacheWrite: 0 }),
  }),
  'response-prompt-cache-read-and-write.json': expected({
    upstreamId: "msg_01KPaKTJSqAKoZri7Ujrny58",
    text: "Python is a beginner-friendly, versatile…(164 chars, sha256 1749af1a90f4)",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 1532, completion: 33, cached: 1111, cacheWrite: 418 }),
  }),
  'response-prompt-cache-read.json': expected({
    upstreamId: "msg_01AuSD5XtDotKvXuLpqrsaZK",
    text: "*adjusts imaginary protocol droid postur…(1264 chars, sha256 918c91744085)",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 4179, completion: 350, cached: 4167, cacheWrite: 0 }),
  }),
  'response-prompt-cache-write.json': expected({
    upstreamId: "msg_01UK4kFB64VX3JEbCA5c21Cp",
    text: "**General Kenobi!** \n\n*adjusts imaginary…(822 chars, sha256 0bb594b955f2)",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 4175, completion: 204, cached: 0, cacheWrite: 4167 }),
  }),
  'response-redacted-thinking.json': expected({
    upstreamId: "msg_01TbZ1ZKNMPq28AgBLyLX3c4",
    text: "I notice that your message appears to co…(341 chars, sha256 a350ca9ccbab)",
    textEvents: 1,
    encrypted: [
      { block: 0, data: "EvgFCkYIBxgCKkBmxKtCnM3xlr1zpw0Ik4FY0bnz…(1020 chars, sha256 27ca4e7ff1be)" },
    ],
    end: finish("end_turn", "stop", { prompt: 92, completion: 196, cached: 0, cacheWrite: 0 }),
  }),
  'response-stop-sequence.json': expected({
    upstreamId: "msg_01376yZQxHcw9pER2Ab2SvQb",
    text: "The beautiful city of ",
    textEvents: 1,
    end: finish("stop_sequence", "stop", { prompt: 32, completion: 5, cached: 0, cacheWrite: 0 }),
  }),
  'response-text-and-tool-use.json': expected({
    upstreamId: "msg_018DaxGuCtuQ42XfuFiC1wxo",
    text: "I'll retrieve the secrets for both passwords you provided.",
    textEvents: 1,
    toolCalls: [
      { index: 0, id: "toolu_01BUvqBj8Yb34pNAbCJJY1oc", name: "secret_retrieval_tool", arguments: "{\"password\":\"mellon\"}", deltas: 1 },
      { index: 1, id: "toolu_01VPuQJ1LonDBYXrr8pqPkqQ", name: "secret_retrieval_tool", arguments: "{\"password\":\"radiance\"}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 416, completion: 109, cached: 0, cacheWrite: 0 }),
  }),
  'response-text.json': expected({
    upstreamId: "msg_01VdEjxAP5ahtHKrrRdNBteQ",
    text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 12, completion: 29, cached: 0, cacheWrite: 0 }),
  }),
  'response-thinking-tool-use.json': expected({
    upstreamId: "msg_01WvueFjZVbHcj4H4zUzeGv2",
    text: "I'll help you find the largest city in your country. First, let me determine which country you're from.",
    textEvents: 1,
    reasoning: [
      { block: 0, text: "The user is asking about the largest cit…(376 chars, sha256 ce392fc78dba)", signature: "EqEECkYICxgCKkAo3UA4WwDbB8ihhpykVCsPx6iM…(736 chars, sha256 a277063a3ae6)" },
    ],
    toolCalls: [
      { index: 0, id: "toolu_01YGzqpRE16Vricda3Aqcejo", name: "get_user_country", arguments: "{}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 398, completion: 155, cached: 0, cacheWrite: 0 }),
  }),
  'response-thinking.json': expected({
    upstreamId: "msg_01DyuMuwbF99Q1iiPXqpF6wj",
    text: "The primes were: 79, 179, and 379.",
    textEvents: 1,
    reasoning: [
      { block: 0, text: "I need to think about primes below 400 t…(841 chars, sha256 376cd4f6fd1a)", signature: "EoEICkYICxgCKkAWNUdyAxvgJ9QoXiuyn1YTDAQu…(1376 chars, sha256 c6b786bbf74a)" },
    ],
    end: finish("end_turn", "stop", { prompt: 97, completion: 391, cached: 0, cacheWrite: 0 }),
  }),
  'stream-error-overloaded.sse': expected({
    end: failure(503, 'provider_overloaded', true),
  }),
  'stream-max-tokens.sse': expected({
    upstreamId: "msg_0135e9LyciVm4QrXrdNRjpNS",
    text: "Here are all 50 U.S. states in alphabeti…(150 chars, sha256 62b67cf9f197)",
    textEvents: 7,
    end: finish("max_tokens", "length", { prompt: 15, completion: 50, cached: 0, cacheWrite: 0 }),
  }),
  'stream-parallel-tool-use-empty-input.sse': expected({
    upstreamId: "msg_01V2noLbAb2NgKnjaNw6Cn3w",
    toolCalls: [
      { index: 0, id: "toolu_01LtHJmixrs9NcWQkK8hu8hj", name: "pelican_name_generator", arguments: "{}", deltas: 1 },
      { index: 1, id: "toolu_01N8a4jWyf116qKTMqKKmjyt", name: "pelican_name_generator", arguments: "{}", deltas: 1 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 542, completion: 62, cached: 0, cacheWrite: 0 }),
  }),
  'stream-prompt-cache-usage.sse': expected({
    upstreamId: "msg_011CdYfpjpVtBoXyXCQD1tQP",
    text: "The sum of the squares of the numbers 1 through 12 is **650**.",
    textEvents: 2,
    end: finish("end_turn", "stop", { prompt: 9632, completion: 198, cached: 6289, cacheWrite: 3337 }),
  }),
  'stream-redacted-thinking.sse': expected({
    upstreamId: "msg_018XZkwvj9asBiffg3fXt88s",
    text: "I notice that you've sent what appears t…(359 chars, sha256 33e0d169251b)",
    textEvents: 15,
    encrypted: [
      { block: 0, data: "EqkECkYIBxgCKkA8AZ4noDfV5VcOJe/p3JTRB6Xz…(744 chars, sha256 a5fcad0dab0d)" },
      { block: 1, data: "EtgBCkYIBxgCKkDQfGkwzflEJP5asG3oQfJXcTwJ…(296 chars, sha256 f2ba85446010)" },
    ],
    end: finish("end_turn", "stop", { prompt: 92, completion: 189, cached: 0, cacheWrite: 0 }),
  }),
  'stream-stop-sequence.sse': expected({
    upstreamId: "msg_01KozUDYHvRtgs3NLgG7jzN9",
    text: "\ndef pelican():\n    return \"A large waterbird with a long bill and a throat pouch for catching fish.\"\n",
    textEvents: 4,
    end: finish("stop_sequence", "stop", { prompt: 16, completion: 28, cached: 0, cacheWrite: 0 }),
  }),
  'stream-text-short.sse': expected({
    upstreamId: "msg_01T8kTq7cYyYJeQ5DxcVUc6D",
    text: "Hello",
    textEvents: 1,
    end: finish("end_turn", "stop", { prompt: 10, completion: 4, cached: 0, cacheWrite: 0 }),
  }),
  'stream-text.sse': expected({
    upstreamId: "msg_01XMATm4UFnjP841TckVuNF4",
    text: "Here are two great names for your pet pe…(300 chars, sha256 254bf1c0e676)",
    textEvents: 4,
    end: finish("end_turn", "stop", { prompt: 678, completion: 82, cached: 0, cacheWrite: 0 }),
  }),
  'stream-thinking.sse': expected({
    upstreamId: "msg_011KMeq28e9hx61PDujBbLjL",
    text: "The primes were: 79, 179, and 379.",
    textEvents: 5,
    reasoning: [
      { block: 0, text: "The user is asking me to recall the prim…(245 chars, sha256 4dde8cfb27e0)", signature: "Ep0DCkYICxgCKkAeMhtpPiMllQqcZF55qnT1x4Ux…(560 chars, sha256 fadab09ba1ad)" },
    ],
    end: finish("end_turn", "stop", { prompt: 171, completion: 107, cached: 0, cacheWrite: 0 }),
  }),
  'stream-tool-use-args-split.sse': expected({
    upstreamId: "msg_01E3Wn1NynZw9FALZ68znj9S",
    text: "Let me search for a tool that can provid…(158 chars, sha256 e73ac65d75e5)",
    textEvents: 4,
    toolCalls: [
      { index: 0, id: "toolu_01EFn5wTNBYA8Reni8rbmnHT", name: "get_exchange_rate", arguments: "{\"from_currency\": \"USD\", \"to_currency\": \"EUR\"}", deltas: 8 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 1591, completion: 175, cached: 0, cacheWrite: 0 }),
  }),
  'stream-tool-use.sse': expected({
    upstreamId: "msg_013zKrzHmx2EAPhcF2gQKQ4k",
    text: "I'll retrieve the secrets for both passwords you provided.",
    textEvents: 4,
    toolCalls: [
      { index: 0, id: "toolu_015cUijgET79LXjgeYQerN2h", name: "secret_retrieval_tool", arguments: "{\"password\": \"mellon\"}", deltas: 3 },
      { index: 1, id: "toolu_01XZTimPexA7h3EVKesnKt5T", name: "secret_retrieval_tool", arguments: "{\"password\": \"radiance\"}", deltas: 4 },
    ],
    end: finish("tool_use", "tool_calls", { prompt: 416, completion: 109, cached: 0, cacheWrite: 0 }),
  }),
};

/** Error replies (`error-<status>-*.json`, served with that status), by file name. */
export const errors: Readonly<Record<string, ErrorExpectation>> = {
  'error-400-invalid-request.json': {
    status: 400,
    type: 'invalid_request',
    retryable: false,
    providerCode: 'invalid_request_error',
    publicMessage: 'tools.0.custom.input_schema.type: Field required',
  },
  'error-400-prompt-too-long.json': {
    status: 400,
    type: 'context_length_exceeded',
    retryable: false,
    providerCode: 'invalid_request_error',
    publicMessage: 'prompt is too long: 205351 tokens > 200000 maximum',
  },
  'error-401-authentication.json': { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'authentication_error' },
  'error-404-not-found.json': {
    status: 404,
    type: 'not_found',
    retryable: false,
    providerCode: 'not_found_error',
    publicMessage: 'model: this-model-does-not-exist-12345',
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
