// How big a prompt is, before any provider has counted it. Two measures:
// an estimate for routing and for billing a request that ended before the
// provider reported usage, and a bound that no tokenizer exceeds, for the
// worst-case reservation.
import type { ChatRequest, Message } from '../api/chat-request.ts';

/** Tokens set aside for each image, audio, video or file part. */
const MEDIA_PART_TOKENS = 3_000;
/** Role markers and message framing, per message (OpenAI's count: 3 and the role). */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** The tokens that prime the reply, once per prompt. */
const REPLY_PRIMING_TOKENS = 3;
/** A message's `name` costs one token beyond its text. */
const NAME_TOKENS = 1;

interface PromptSize {
  characters: number;
  utf8Bytes: number;
  mediaParts: number;
  messages: number;
  names: number;
}

const encoder = new TextEncoder();

function measure(request: ChatRequest): PromptSize {
  const size: PromptSize = { characters: 0, utf8Bytes: 0, mediaParts: 0, messages: request.messages.length, names: 0 };
  const addText = (text: string | null | undefined): void => {
    if (text == null || text === '') return;
    size.characters += text.length;
    size.utf8Bytes += encoder.encode(text).length;
  };
  for (const message of request.messages) addMessage(message, addText, size);
  if (request.tools !== undefined) addText(JSON.stringify(request.tools));
  if (request.response_format?.type === 'json_schema') addText(JSON.stringify(request.response_format.json_schema));
  return size;
}

function addMessage(message: Message, addText: (text: string | null | undefined) => void, size: PromptSize): void {
  if ('name' in message && typeof message.name === 'string') {
    addText(message.name);
    size.names += 1;
  }
  const content = message.content;
  if (typeof content === 'string') addText(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (part.type === 'text') addText(part.text);
      else size.mediaParts += 1;
    }
  }
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) addText(call.function.name + call.function.arguments);
    addText(message.reasoning ?? message.reasoning_content);
    addText(message.refusal);
  }
}

/** A typical tokenizer's count: about four characters a token. */
export function estimatePromptTokens(request: ChatRequest): number {
  const size = measure(request);
  return Math.ceil(size.characters / 4) + size.mediaParts * MEDIA_PART_TOKENS + size.messages * MESSAGE_OVERHEAD_TOKENS;
}

/** An upper bound: no byte-level tokenizer emits more tokens than bytes. */
export function maxPromptTokens(request: ChatRequest): number {
  const size = measure(request);
  return (
    size.utf8Bytes + size.mediaParts * MEDIA_PART_TOKENS + size.messages * MESSAGE_OVERHEAD_TOKENS + size.names * NAME_TOKENS + REPLY_PRIMING_TOKENS
  );
}
