// A prompt's tokens as OpenAI counts a chat: each message framed as
// <|start|>{role}<|message|>{content}<|end|>, the reply primed with
// <|start|>assistant<|message|>, and tool definitions rendered into the
// system prompt. The message and tool constants are those of OpenAI's
// cookbook "How to count tokens with tiktoken" (§6, §7), which match the
// API's prompt_tokens for its examples; what the cookbook does not cover
// (tool calls, tool results, images, nested schemas) is approximated as each
// comment below says.
import type { ChatRequest, ContentPart, FunctionTool, Message } from '../api/chat-request.ts';
import type { TokenEncodingName } from './encodings.ts';
import type { TokenCounter } from './token-counters.ts';

interface ChatFraming {
  /** <|start|>, <|message|> and <|end|> around every message (its role's tokens come on top). */
  perMessage: number;
  /** A message's `name` costs its tokens and this. */
  perName: number;
  /** <|start|>assistant<|message|> that every reply is primed with. */
  replyPriming: number;
  /** Per tool definition, before its `name:description` line. */
  perTool: number;
  /** Once per tool whose parameters have properties. */
  perToolProperties: number;
  /** Per property, beside its `key:type:description` line. */
  perProperty: number;
  /** Once per property with an `enum` (negative: the enum replaces some of the framing). */
  perEnum: number;
  /** Per enum value, beside the value's own tokens. */
  perEnumValue: number;
  /** Once after all tool definitions. */
  afterTools: number;
}

const BASE_FRAMING = {
  perMessage: 3,
  perName: 1,
  replyPriming: 3,
  perToolProperties: 3,
  perProperty: 3,
  perEnum: -3,
  perEnumValue: 3,
  afterTools: 12,
} as const;

// The cookbook's §7 constants: gpt-4o and gpt-4o-mini (o200k_base) start a
// tool with 7 tokens, gpt-4 and gpt-3.5-turbo (cl100k_base) with 10.
const FRAMING: Record<TokenEncodingName, ChatFraming> = {
  o200k_base: { ...BASE_FRAMING, perTool: 7 },
  cl100k_base: { ...BASE_FRAMING, perTool: 10 },
};

/**
 * An assistant message's tool call: its name, its arguments and, as
 * gpt-tokenizer counts a function call, 3 tokens of framing.
 */
const PER_TOOL_CALL = 3;

/**
 * An image at `detail: "low"`: OpenAI's flat 85 tokens for GPT-4o-class models.
 */
export const LOW_DETAIL_IMAGE_TOKENS = 85;
/**
 * An image at any other detail. The request carries no image size, and the
 * gateway neither fetches nor decodes images, so this assumes a 1024×1024
 * image under OpenAI's tile formula for GPT-4o-class models: scaled to
 * 768×768, four 512-px tiles of 170 tokens, plus 85 (4 × 170 + 85).
 */
export const IMAGE_TOKENS = 765;
/**
 * Audio, video and file parts: a flat amount, the same that
 * lib/billing/prompt-size.ts sets aside for a media part. Their real cost
 * depends on duration and pages, which only the provider measures.
 */
export const OTHER_MEDIA_PART_TOKENS = 3_000;

/** The prompt tokens of a chat request, as the provider would count them with `counter`'s encoding. */
export function countPromptTokens(request: ChatRequest, counter: TokenCounter): number {
  const framing = FRAMING[counter.encoding];
  let total = framing.replyPriming;
  for (const message of request.messages) total += countMessage(message, counter, framing);
  if (request.tools !== undefined && request.tools.length > 0) total += countTools(request.tools, counter, framing);
  // Structured output puts the schema into the prompt; its JSON text stands in for OpenAI's rendering of it.
  if (request.response_format?.type === 'json_schema') total += counter.countText(JSON.stringify(request.response_format.json_schema));
  return total;
}

/** A legacy completions `prompt`: plain text, no chat framing. */
export function countTextPromptTokens(prompt: string | readonly string[], counter: TokenCounter): number {
  if (typeof prompt === 'string') return counter.countText(prompt);
  let total = 0;
  for (const text of prompt) total += counter.countText(text);
  return total;
}

function countMessage(message: Message, counter: TokenCounter, framing: ChatFraming): number {
  let total = framing.perMessage + counter.countText(message.role) + countContent(message.content, counter);
  if (message.name !== undefined) total += counter.countText(message.name) + framing.perName;
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      total += counter.countText(call.function.name) + counter.countText(call.function.arguments) + PER_TOOL_CALL;
    }
    if (message.refusal != null) total += counter.countText(message.refusal);
    // Reasoning sent back is counted, as prompt-size.ts counts it: a provider
    // that reads it bills it; for one that drops it, this over-counts.
    const reasoning = message.reasoning ?? message.reasoning_content;
    if (reasoning != null) total += counter.countText(reasoning);
  }
  // A tool result is its content; its tool_call_id is routing, not text the model reads.
  return total;
}

function countContent(content: string | readonly ContentPart[] | null | undefined, counter: TokenCounter): number {
  if (content == null) return 0;
  if (typeof content === 'string') return counter.countText(content);
  let total = 0;
  for (const part of content) total += countPart(part, counter);
  return total;
}

function countPart(part: ContentPart, counter: TokenCounter): number {
  switch (part.type) {
    case 'text':
      return counter.countText(part.text);
    case 'image_url':
      return part.image_url.detail === 'low' ? LOW_DETAIL_IMAGE_TOKENS : IMAGE_TOKENS;
    case 'input_audio':
    case 'video_url':
    case 'input_video':
    case 'file':
      return OTHER_MEDIA_PART_TOKENS;
  }
}

/**
 * The cookbook's §7 formula over each tool's top-level properties. What it
 * leaves out — anything else in a property's schema (`items`, nested
 * `properties`, `anyOf`, `format`, …) and the parameters' own extras such as
 * `$defs` — is counted as its compact JSON text, an approximation of the
 * TypeScript-like rendering OpenAI actually injects.
 */
function countTools(tools: readonly FunctionTool[], counter: TokenCounter, framing: ChatFraming): number {
  let total = framing.afterTools;
  for (const tool of tools) {
    const { name, description, parameters } = tool.function;
    total += framing.perTool + counter.countText(`${name}:${withoutFinalPeriod(description ?? '')}`);
    if (parameters === undefined) continue;
    const { type: _type, properties, required: _required, additionalProperties: _additional, ...extras } = parameters;
    if (Object.keys(extras).length > 0) total += counter.countText(JSON.stringify(extras));
    if (!isRecord(properties)) continue;
    const entries = Object.entries(properties);
    if (entries.length === 0) continue;
    total += framing.perToolProperties;
    for (const [key, schema] of entries) total += framing.perProperty + countProperty(key, schema, counter, framing);
  }
  return total;
}

function countProperty(key: string, schema: unknown, counter: TokenCounter, framing: ChatFraming): number {
  if (!isRecord(schema)) return counter.countText(`${key}::`);
  const { type, description, enum: values, ...rest } = schema;
  let total = counter.countText(`${key}:${typeText(type)}:${withoutFinalPeriod(typeof description === 'string' ? description : '')}`);
  if (Array.isArray(values)) {
    total += framing.perEnum;
    for (const value of values) total += framing.perEnumValue + counter.countText(typeof value === 'string' ? value : JSON.stringify(value));
  }
  if (Object.keys(rest).length > 0) total += counter.countText(JSON.stringify(rest));
  return total;
}

function typeText(type: unknown): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.filter((entry) => typeof entry === 'string').join(' | ');
  return '';
}

function withoutFinalPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
