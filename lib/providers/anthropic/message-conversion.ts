// OpenAI-style chat messages → Anthropic's `system` blocks and alternating
// user/assistant turns.
import type { ContentPart, Message, ReasoningDetailInput, ToolCall } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
import type {
  AnthropicAssistantBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicUserBlock,
} from './request-types.ts';
import { createToolUseIds } from './tool-use-ids.ts';

export const ANTHROPIC_REASONING_FORMAT = 'anthropic-claude-v1';

export interface ConvertedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

type TextPart = Extract<ContentPart, { type: 'text' }>;

export function convertMessages(input: readonly Message[]): ConvertedMessages {
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessage[] = [];
  const toolUseIds = createToolUseIds();

  // Anthropic wants alternating turns: consecutive same-role content (several
  // tool results, a tool result followed by the user's next words) becomes one turn.
  const pushUser = (blocks: AnthropicUserBlock[]): void => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === 'user') last.content.push(...blocks);
    else messages.push({ role: 'user', content: blocks });
  };
  const pushAssistant = (blocks: AnthropicAssistantBlock[]): void => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === 'assistant') last.content.push(...blocks);
    else messages.push({ role: 'assistant', content: blocks });
  };

  input.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        pushUser(userBlocks(message.content, `${where}.content`));
        break;
      case 'assistant':
        pushAssistant([
          // Thinking blocks go first, as Anthropic returned them: multi-turn
          // tool use with thinking is refused without them.
          ...thinkingBlocks(message.reasoning_details ?? []),
          ...assistantTextBlocks(message.content, `${where}.content`),
          ...(message.tool_calls ?? []).map((call, callIndex) => toolUseBlock(call, toolUseIds.forCall(call.id), `${where}.tool_calls[${callIndex}]`)),
        ]);
        break;
      case 'tool':
        pushUser([toolResultBlock(toolUseIds.forResult(message.tool_call_id), message.content, `${where}.content`)]);
        break;
    }
  });

  trimPrefill(messages);
  if (messages.length === 0) {
    throw invalidRequest('`messages` must hold at least one non-empty user or assistant message for Anthropic models', { field: 'messages' });
  }
  return { system, messages };
}

function textBlock(part: TextPart): AnthropicTextBlock {
  return part.cache_control !== undefined
    ? { type: 'text', text: part.text, cache_control: part.cache_control }
    : { type: 'text', text: part.text };
}

/** Anthropic refuses empty text blocks, so they are left out. */
function textBlocks(content: string | readonly TextPart[]): AnthropicTextBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.filter((part) => part.text !== '').map(textBlock);
}

function userBlocks(content: string | readonly ContentPart[], where: string): AnthropicUserBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, index): AnthropicUserBlock[] => {
    const at = `${where}[${index}]`;
    switch (part.type) {
      case 'text':
        return part.text === '' ? [] : [textBlock(part)];
      case 'image_url':
        return [imageBlock(part.image_url.url, at)];
      case 'file':
        return [documentBlock(part.file, at)];
      case 'input_audio':
      case 'video_url':
      case 'input_video':
        throw invalidRequest(`\`${at}\`: Anthropic models do not accept ${part.type} content`, { field: at });
    }
  });
}

function assistantTextBlocks(content: string | readonly ContentPart[] | null | undefined, where: string): AnthropicTextBlock[] {
  if (content == null) return [];
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, index) => {
    if (part.type === 'text') return part.text === '' ? [] : [textBlock(part)];
    const at = `${where}[${index}]`;
    throw invalidRequest(`\`${at}\`: assistant messages may only hold text for Anthropic models`, { field: at });
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function imageBlock(url: string, where: string): AnthropicImageBlock {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    const mediaType = match?.[1]?.toLowerCase();
    if (match === null || mediaType === undefined || !IMAGE_TYPES.has(mediaType)) {
      throw invalidRequest(`\`${where}.image_url.url\` must be a base64 data URL of a JPEG, PNG, GIF or WebP image`, {
        field: `${where}.image_url.url`,
      });
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: match[2] ?? '' } };
  }
  if (!/^https?:\/\//i.test(url)) {
    throw invalidRequest(`\`${where}.image_url.url\` must be an http(s) URL or a data URL`, { field: `${where}.image_url.url` });
  }
  return { type: 'image', source: { type: 'url', url } };
}

function documentBlock(file: { filename?: string; file_data?: string; file_id?: string }, where: string): AnthropicDocumentBlock {
  const data = file.file_data;
  const title = file.filename !== undefined ? { title: file.filename } : {};
  if (data !== undefined && /^https?:\/\//i.test(data)) return { type: 'document', source: { type: 'url', url: data }, ...title };
  const match = data === undefined ? null : DATA_URL.exec(data);
  const mediaType = match?.[1]?.toLowerCase();
  if (match !== null && mediaType === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: match[2] ?? '' }, ...title };
  }
  if (match !== null && mediaType === 'text/plain') {
    const text = new TextDecoder().decode(Uint8Array.from(atob(match[2] ?? ''), (char) => char.charCodeAt(0)));
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...title };
  }
  throw invalidRequest(`\`${where}.file.file_data\` must be a PDF or plain-text data URL, or an http(s) URL`, {
    field: `${where}.file.file_data`,
  });
}

function toolUseBlock(call: ToolCall, id: string, where: string): AnthropicAssistantBlock {
  return { type: 'tool_use', id, name: call.function.name, input: parseArguments(call.function.arguments, where) };
}

function parseArguments(text: string, where: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(`\`${where}.function.arguments\` must be a JSON object`, { field: `${where}.function.arguments` });
  }
  return value as Record<string, unknown>;
}

function toolResultBlock(toolUseId: string, content: string | readonly ContentPart[], where: string): AnthropicToolResultBlock {
  if (typeof content === 'string') return { type: 'tool_result', tool_use_id: toolUseId, content };
  const blocks = content.flatMap((part, index): Array<AnthropicTextBlock | AnthropicImageBlock> => {
    const at = `${where}[${index}]`;
    if (part.type === 'text') return part.text === '' ? [] : [textBlock(part)];
    if (part.type === 'image_url') return [imageBlock(part.image_url.url, at)];
    throw invalidRequest(`\`${at}\`: tool results may only hold text and images for Anthropic models`, { field: at });
  });
  return { type: 'tool_result', tool_use_id: toolUseId, content: blocks };
}

/**
 * `reasoning_details` that came from Anthropic, back into thinking blocks.
 * Clients that accumulate a stream may echo one detail per delta: details
 * sharing an `index` are joined into one block.
 */
function thinkingBlocks(details: readonly ReasoningDetailInput[]): AnthropicAssistantBlock[] {
  const blocks: AnthropicAssistantBlock[] = [];
  let open: { index: number | null | undefined; text: string; signature: string | undefined } | undefined;
  const close = (): void => {
    // A thinking block without its signature is refused by Anthropic; it cannot be replayed.
    if (open?.signature !== undefined) blocks.push({ type: 'thinking', thinking: open.text, signature: open.signature });
    open = undefined;
  };
  for (const detail of details) {
    if (detail.format !== ANTHROPIC_REASONING_FORMAT) continue;
    if (detail.type === 'reasoning.text') {
      if (open === undefined || open.index == null || open.index !== detail.index) {
        close();
        open = { index: detail.index, text: '', signature: undefined };
      }
      open.text += detail.text ?? '';
      if (detail.signature != null && detail.signature !== '') open.signature = detail.signature;
    } else if (detail.type === 'reasoning.encrypted' && detail.data != null && detail.data !== '') {
      close();
      blocks.push({ type: 'redacted_thinking', data: detail.data });
    }
  }
  close();
  return blocks;
}

/**
 * A trailing assistant message is a prefill the model continues. Anthropic
 * refuses a final assistant turn that ends in whitespace.
 */
function trimPrefill(messages: AnthropicMessage[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const block = last.content.at(-1);
  if (block?.type !== 'text') return;
  const trimmed = block.text.trimEnd();
  if (trimmed === '') last.content.pop();
  else block.text = trimmed;
  if (last.content.length === 0) messages.pop();
}
