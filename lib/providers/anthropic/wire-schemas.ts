// What Anthropic sends back: lenient schemas that keep unknown fields, since
// Anthropic adds fields, block types and event types without a new API version.
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
import { z } from 'zod';

export const anthropicUsage = z
  .object({
    input_tokens: z.number().nullish(),
    output_tokens: z.number().nullish(),
    cache_creation_input_tokens: z.number().nullish(),
    cache_read_input_tokens: z.number().nullish(),
    // cache_creation_input_tokens split by TTL: 1-hour writes are priced apart.
    cache_creation: z.object({ ephemeral_5m_input_tokens: z.number().nullish(), ephemeral_1h_input_tokens: z.number().nullish() }).loose().nullish(),
    output_tokens_details: z.object({ thinking_tokens: z.number().nullish() }).loose().nullish(),
  })
  .loose();
export type AnthropicUsage = z.infer<typeof anthropicUsage>;

export const errorDetail = z.object({ type: z.string().nullish(), message: z.string().nullish() }).loose();
export type AnthropicErrorDetail = z.infer<typeof errorDetail>;

/** The body of an error reply, and the payload of an `error` stream event. */
export const errorBody = z.object({ type: z.literal('error'), error: errorDetail }).loose();

// Content blocks, in a message and in `content_block_start`.
const textBlock = z.object({ type: z.literal('text'), text: z.string().nullish() }).loose();
const thinkingBlock = z
  .object({ type: z.literal('thinking'), thinking: z.string().nullish(), signature: z.string().nullish() })
  .loose();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).loose();
const toolUseBlock = z
  .object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown().optional() })
  .loose();

export type ContentBlock =
  | z.infer<typeof textBlock>
  | z.infer<typeof thinkingBlock>
  | z.infer<typeof redactedThinkingBlock>
  | z.infer<typeof toolUseBlock>
  /** A block the gateway does not pass on (server tool use and results, …). */
  | { type: 'other'; name: string };

const contentBlockSchemas = {
  text: textBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
  tool_use: toolUseBlock,
} as const;

/** A content block, `undefined` when one of the known types is malformed. */
export function parseContentBlock(value: unknown): ContentBlock | undefined {
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  if (typeof type !== 'string') return undefined;
  if (!Object.hasOwn(contentBlockSchemas, type)) return { type: 'other', name: type };
  const result = contentBlockSchemas[type as keyof typeof contentBlockSchemas].safeParse(value);
  return result.success ? result.data : undefined;
}

/** A complete (non-streaming) Message. */
export const messageResponse = z
  .object({
    id: z.string().nullish(),
    type: z.string().nullish(),
    content: z.array(z.unknown()),
    stop_reason: z.string().nullish(),
    stop_sequence: z.string().nullish(),
    usage: anthropicUsage.nullish(),
  })
  .loose();

// Stream events.
const messageStart = z
  .object({
    type: z.literal('message_start'),
    message: z
      .object({
        id: z.string().nullish(),
        // Usually empty, with the stop reason null; with programmatic tool calling the whole reply is here.
        content: z.array(z.unknown()).nullish(),
        stop_reason: z.string().nullish(),
        usage: anthropicUsage.nullish(),
      })
      .loose(),
  })
  .loose();
const contentBlockStart = z
  .object({ type: z.literal('content_block_start'), index: z.number().int(), content_block: z.unknown() })
  .loose();
const delta = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text_delta'), text: z.string() }).loose(),
  z.object({ type: z.literal('thinking_delta'), thinking: z.string() }).loose(),
  z.object({ type: z.literal('signature_delta'), signature: z.string() }).loose(),
  z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }).loose(),
]);
const contentBlockDelta = z
  .object({ type: z.literal('content_block_delta'), index: z.number().int(), delta: z.unknown() })
  .loose();
const contentBlockStop = z.object({ type: z.literal('content_block_stop'), index: z.number().int() }).loose();
const messageDelta = z
  .object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).loose(),
    usage: anthropicUsage.nullish(),
  })
  .loose();
const messageStop = z.object({ type: z.literal('message_stop') }).loose();
const ping = z.object({ type: z.literal('ping') }).loose();

const streamEventSchemas = {
  message_start: messageStart,
  content_block_start: contentBlockStart,
  content_block_delta: contentBlockDelta,
  content_block_stop: contentBlockStop,
  message_delta: messageDelta,
  message_stop: messageStop,
  ping,
  error: errorBody,
} as const;

export type ContentDelta = z.infer<typeof delta> | { type: 'other'; name: string };

// The events as the transform reads them. Written out rather than inferred:
// the loose schemas' index signatures would defeat narrowing on `type`.
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: { id?: string | null; content?: unknown[] | null; stop_reason?: string | null; usage?: AnthropicUsage | null } }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason?: string | null; stop_sequence?: string | null };
      usage?: AnthropicUsage | null;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: AnthropicErrorDetail }
  /** An event type this gateway does not know: skipped, as Anthropic's versioning policy asks. */
  | { type: 'unknown'; name: string };

/** One stream event's data, or `undefined` when it is not valid JSON of a known shape. */
export function parseStreamEvent(data: string): AnthropicStreamEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  if (typeof type !== 'string') return undefined;
  if (!Object.hasOwn(streamEventSchemas, type)) return { type: 'unknown', name: type };
  const result = streamEventSchemas[type as keyof typeof streamEventSchemas].safeParse(value);
  if (!result.success) return undefined;
  const event = result.data;
  switch (event.type) {
    case 'content_block_start': {
      const block = parseContentBlock(event.content_block);
      return block === undefined ? undefined : { type: event.type, index: event.index, content_block: block };
    }
    case 'content_block_delta': {
      const parsed = parseDelta(event.delta);
      return parsed === undefined ? undefined : { type: event.type, index: event.index, delta: parsed };
    }
    case 'message_start':
      return { type: event.type, message: event.message };
    case 'content_block_stop':
      return { type: event.type, index: event.index };
    case 'message_delta':
      return { type: event.type, delta: event.delta, usage: event.usage };
    case 'message_stop':
    case 'ping':
      return { type: event.type };
    case 'error':
      return { type: event.type, error: event.error };
  }
}

function parseDelta(value: unknown): ContentDelta | undefined {
  const parsed = delta.safeParse(value);
  if (parsed.success) return parsed.data;
  // citations_delta and future delta types: not part of the canonical events.
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  if (typeof type !== 'string') return undefined;
  return ['text_delta', 'thinking_delta', 'signature_delta', 'input_json_delta'].includes(type) ? undefined : { type: 'other', name: type };
}
