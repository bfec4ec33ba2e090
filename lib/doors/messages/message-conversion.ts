// Anthropic's system prompt and content blocks → the canonical chat
// messages: tool_use → assistant `tool_calls`, tool_result → `tool`
// messages, thinking blocks (with their signatures) → `reasoning_details`,
// so any provider the router picks gets the conversation, and an Anthropic
// upstream gets the very blocks back (lib/providers/anthropic/message-conversion.ts).
import type { ContentPart, Message, ReasoningDetailInput, ToolCall } from '../../api/chat-request.ts';
import type { AssistantBlock, DocumentBlock, ImageBlock, MessagesMessage, TextBlock, ToolResultBlock, UserBlock } from './request-schema.ts';

/** The `format` Anthropic's own reasoning details carry on the chat wire. */
export const ANTHROPIC_REASONING_FORMAT = 'anthropic-claude-v1';

/**
 * The canonical chat wire has no error flag on a tool result, so a failed
 * tool's result says so in the text the model reads.
 */
export const TOOL_ERROR_PREFIX = 'Error: ';

type TextPart = Extract<ContentPart, { type: 'text' }>;

export function systemMessage(system: readonly TextBlock[] | undefined): Message[] {
  if (system === undefined || system.length === 0) return [];
  return [{ role: 'system', content: system.map(textPart) }];
}

export function convertMessages(messages: readonly MessagesMessage[]): Message[] {
  return messages.flatMap((message) => (message.role === 'user' ? userMessages(message.content) : [assistantMessage(message.content)]));
}

function textPart(block: TextBlock): TextPart {
  return block.cache_control == null ? { type: 'text', text: block.text } : { type: 'text', text: block.text, cache_control: block.cache_control };
}

/**
 * One user turn → its tool results as `tool` messages, then the rest as one
 * user message. Anthropic puts tool results first in the turn; on the chat
 * wire they must directly follow the assistant's tool calls.
 */
function userMessages(blocks: readonly UserBlock[]): Message[] {
  const results: Message[] = [];
  const parts: ContentPart[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'tool_result':
        results.push(toolMessage(block));
        break;
      case 'text':
        parts.push(textPart(block));
        break;
      case 'image':
        parts.push(imagePart(block));
        break;
      case 'document':
        parts.push(filePart(block));
        break;
    }
  }
  if (parts.length === 0) return results;
  return [...results, { role: 'user', content: parts }];
}

function imagePart(block: ImageBlock): ContentPart {
  const source = block.source;
  const url = source.type === 'url' ? source.url : `data:${source.media_type};base64,${source.data}`;
  return { type: 'image_url', image_url: { url } };
}

function filePart(block: DocumentBlock): ContentPart {
  const source = block.source;
  const fileData =
    source.type === 'url'
      ? source.url
      : source.type === 'base64'
        ? `data:${source.media_type};base64,${source.data}`
        : `data:text/plain;base64,${base64(source.data)}`;
  return { type: 'file', file: block.title == null ? { file_data: fileData } : { filename: block.title, file_data: fileData } };
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function toolMessage(block: ToolResultBlock): Message {
  const parts: ContentPart[] = (block.content ?? []).map((part) => (part.type === 'text' ? textPart(part) : imagePart(part)));
  if (block.is_error === true) {
    const first = parts[0];
    if (first?.type === 'text') parts[0] = { ...first, text: TOOL_ERROR_PREFIX + first.text };
    else parts.unshift({ type: 'text', text: TOOL_ERROR_PREFIX.trimEnd() });
  }
  const [only] = parts;
  // One plain text is a string result, which every provider takes; several blocks stay blocks.
  const plain = parts.length === 0 ? '' : parts.length === 1 && only?.type === 'text' && only.cache_control === undefined ? only.text : undefined;
  return { role: 'tool', tool_call_id: block.tool_use_id, content: plain ?? parts };
}

function assistantMessage(blocks: readonly AssistantBlock[]): Message {
  const text: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  const details: ReasoningDetailInput[] = [];
  blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        text.push(textPart(block));
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
        break;
      case 'thinking':
        details.push({ type: 'reasoning.text', text: block.thinking, signature: block.signature, format: ANTHROPIC_REASONING_FORMAT, index });
        break;
      case 'redacted_thinking':
        details.push({ type: 'reasoning.encrypted', data: block.data, format: ANTHROPIC_REASONING_FORMAT, index });
        break;
    }
  });
  const plain = text.every((part) => part.cache_control === undefined);
  const content = text.length === 0 ? (toolCalls.length > 0 ? null : '') : plain ? text.map((part) => part.text).join('') : text;
  const message: Message = { role: 'assistant', content };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (details.length > 0) message.reasoning_details = details;
  return message;
}
