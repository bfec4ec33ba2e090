// OpenAI-style messages as Converse messages and system blocks. Converse
// wants strictly alternating roles, so consecutive messages of one role
// (several tool results, a tool result then a user turn) share one message.
import type { ContentPart, Message, ReasoningDetailInput, ToolCall } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
// Claude on Bedrock holds toolUse ids to Anthropic's rules: unique, [a-zA-Z0-9_-].
import { createToolUseIds, type ToolUseIds } from '../anthropic/tool-use-ids.ts';
import type {
  AssistantContentBlock,
  CachePoint,
  ConverseMessage,
  ImageBlock,
  ImageFormat,
  ReasoningBlock,
  SystemBlock,
  TextBlock,
  ToolResultBlock,
  UserContentBlock,
} from './wire-types.ts';

export interface ConvertedMessages {
  system: SystemBlock[];
  messages: ConverseMessage[];
  /** Whether the conversation holds tool calls or results (Converse then requires a toolConfig). */
  hasToolBlocks: boolean;
}

type CacheControl = { type: 'ephemeral'; ttl?: '5m' | '1h' };

/** The only reasoning we can hand back to Bedrock's Claude: Anthropic's own, with its signatures. */
const REPLAYABLE_REASONING_FORMAT = 'anthropic-claude-v1';

export function cachePoint(control: CacheControl): CachePoint {
  return { cachePoint: control.ttl === undefined ? { type: 'default' } : { type: 'default', ttl: control.ttl } };
}

export function convertMessages(messages: readonly Message[]): ConvertedMessages {
  const system: SystemBlock[] = [];
  const out: ConverseMessage[] = [];
  let hasToolBlocks = false;
  const toolUseIds = createToolUseIds();

  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        // Converse has one system prompt; instructions given mid-conversation join it in order.
        if (typeof message.content === 'string') system.push({ text: message.content });
        else for (const part of message.content) system.push(...textBlocks(part.text, part.cache_control));
        break;
      case 'user':
        appendUser(out, userBlocks(message.content, `${where}.content`));
        break;
      case 'assistant': {
        const blocks = assistantBlocks(message, where, toolUseIds);
        if (message.tool_calls !== undefined && message.tool_calls.length > 0) hasToolBlocks = true;
        if (blocks.length > 0) appendAssistant(out, blocks);
        break;
      }
      case 'tool':
        hasToolBlocks = true;
        appendUser(out, toolResultBlocks(toolUseIds.forResult(message.tool_call_id), message.content, `${where}.content`));
        break;
    }
  });
  return { system, messages: out, hasToolBlocks };
}

function appendUser(out: ConverseMessage[], content: UserContentBlock[]): void {
  const last = out.at(-1);
  if (last?.role === 'user') last.content.push(...content);
  else out.push({ role: 'user', content });
}

function appendAssistant(out: ConverseMessage[], content: AssistantContentBlock[]): void {
  const last = out.at(-1);
  if (last?.role === 'assistant') last.content.push(...content);
  else out.push({ role: 'assistant', content });
}

function textBlocks(text: string, control: CacheControl | undefined): (TextBlock | CachePoint)[] {
  return control === undefined ? [{ text }] : [{ text }, cachePoint(control)];
}

function userBlocks(content: string | ContentPart[], where: string): UserContentBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((part, index): UserContentBlock[] => {
    const path = `${where}[${index}]`;
    switch (part.type) {
      case 'text':
        return textBlocks(part.text, part.cache_control);
      case 'image_url':
        return [imageBlock(part.image_url.url, `${path}.image_url.url`)];
      case 'input_audio':
      case 'video_url':
      case 'input_video':
      case 'file':
        throw unsupportedPart(part.type, path);
    }
  });
}

function assistantBlocks(message: Extract<Message, { role: 'assistant' }>, where: string, toolUseIds: ToolUseIds): AssistantContentBlock[] {
  // Claude requires its thinking blocks first, as it produced them.
  const blocks: AssistantContentBlock[] = reasoningBlocks(message.reasoning_details ?? []);
  const content = message.content;
  if (typeof content === 'string') {
    // Converse refuses blank text blocks; an assistant turn with only tool calls often carries "".
    if (content.trim() !== '') blocks.push({ text: content });
  } else if (content != null) {
    content.forEach((part, index) => {
      if (part.type !== 'text') throw unsupportedPart(part.type, `${where}.content[${index}]`);
      if (part.text.trim() !== '') blocks.push(...textBlocks(part.text, part.cache_control));
    });
  }
  (message.tool_calls ?? []).forEach((call, index) => {
    blocks.push({
      toolUse: { toolUseId: toolUseIds.forCall(call.id), name: call.function.name, input: toolInput(call, `${where}.tool_calls[${index}].function.arguments`) },
    });
  });
  return blocks;
}

function reasoningBlocks(details: readonly ReasoningDetailInput[]): ReasoningBlock[] {
  const blocks: ReasoningBlock[] = [];
  for (const detail of details) {
    if (detail.format !== REPLAYABLE_REASONING_FORMAT) continue;
    if (detail.type === 'reasoning.text' && detail.text != null) {
      const reasoningText = detail.signature != null ? { text: detail.text, signature: detail.signature } : { text: detail.text };
      blocks.push({ reasoningContent: { reasoningText } });
    } else if (detail.type === 'reasoning.encrypted' && detail.data != null) {
      blocks.push({ reasoningContent: { redactedContent: detail.data } });
    }
  }
  return blocks;
}

function toolInput(call: ToolCall, where: string): unknown {
  if (call.function.arguments.trim() === '') return {};
  try {
    return JSON.parse(call.function.arguments) as unknown;
  } catch {
    throw invalidRequest(`\`${where}\` must be a JSON document`, { field: where });
  }
}

function toolResultBlocks(toolUseId: string, content: string | ContentPart[], where: string): UserContentBlock[] {
  if (typeof content === 'string') return [{ toolResult: { toolUseId, content: [{ text: content }] } }];
  const resultContent: ToolResultBlock['toolResult']['content'] = [];
  let control: CacheControl | undefined;
  content.forEach((part, index) => {
    const path = `${where}[${index}]`;
    if (part.type === 'text') {
      resultContent.push({ text: part.text });
      control = part.cache_control ?? control;
    } else if (part.type === 'image_url') {
      resultContent.push(imageBlock(part.image_url.url, `${path}.image_url.url`));
    } else {
      throw unsupportedPart(part.type, path);
    }
  });
  // A cache point cannot sit inside a tool result; it follows it.
  const result: ToolResultBlock = { toolResult: { toolUseId, content: resultContent } };
  return control === undefined ? [result] : [result, cachePoint(control)];
}

const imageFormats: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

function imageBlock(url: string, where: string): ImageBlock {
  const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) {
    throw invalidRequest(
      `\`${where}\`: Amazon Bedrock accepts images only as base64 data URLs (data:image/png;base64,…), not links`,
      { field: where },
    );
  }
  const mediaType = (match[1] ?? '').toLowerCase();
  const format = imageFormats[mediaType];
  if (format === undefined) {
    throw invalidRequest(`\`${where}\`: image type ${mediaType} is not supported by Amazon Bedrock (png, jpeg, gif, webp)`, {
      field: where,
    });
  }
  return { image: { format, source: { bytes: match[3] ?? '' } } };
}

function unsupportedPart(type: string, where: string): never {
  throw invalidRequest(`\`${where}\`: content of type ${type} is not supported by Amazon Bedrock`, { field: where });
}
