// A validated Responses request → the canonical chat request every later
// step reads. `instructions` and the input items become chat messages (a
// function call joins the assistant turn it belongs to, its output becomes a
// tool message, an earlier reasoning item rides on the next assistant turn as
// `reasoning_details`); the parameters map one to one. Only fields named here
// reach the canonical request: its unknown keys would be forwarded upstream.
import {
  canonicalRequest,
  type ChatRequest,
  type ChatWireRequest,
  type ContentPart,
  type Message,
  type ReasoningDetailInput,
  type ResponseFormat,
  type ToolCall,
} from '../../api/chat-request.ts';
import type {
  FunctionCallItem,
  FunctionCallOutputItem,
  InputContentPart,
  InputItem,
  MessageItem,
  ReasoningItem,
  ResponsesRequest,
  TextFormat,
} from './request-schema.ts';

type AssistantMessage = Extract<Message, { role: 'assistant' }>;

export function toChatRequest(request: ResponsesRequest): ChatRequest {
  const chat: ChatWireRequest = { messages: toMessages(request) };
  const set = <K extends keyof ChatWireRequest>(key: K, value: ChatWireRequest[K] | null | undefined): void => {
    if (value != null) chat[key] = value;
  };
  set('model', request.model);
  set('models', request.models);
  set('max_tokens', request.max_output_tokens);
  set('temperature', request.temperature);
  set('top_p', request.top_p);
  set('top_k', request.top_k);
  set('frequency_penalty', request.frequency_penalty);
  set('presence_penalty', request.presence_penalty);
  set('seed', request.seed);
  set('parallel_tool_calls', request.parallel_tool_calls);
  set('metadata', request.metadata);
  // `safety_identifier` is OpenAI's new name for `user`.
  set('user', request.user ?? request.safety_identifier);
  set('prompt_cache_key', request.prompt_cache_key);
  set('service_tier', request.service_tier);
  set('reasoning', request.reasoning);
  set('verbosity', request.text?.verbosity);
  set('response_format', request.text?.format === undefined ? undefined : responseFormat(request.text.format));
  set('provider', request.provider);
  set('session_id', request.session_id);
  set('route', request.route);
  set('transforms', request.transforms);
  set('plugins', request.plugins);
  if (request.tools !== undefined) {
    chat.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description == null ? {} : { description: tool.description }),
        ...(tool.parameters == null ? {} : { parameters: tool.parameters }),
        ...(tool.strict == null ? {} : { strict: tool.strict }),
      },
    }));
  }
  const choice = request.tool_choice;
  if (choice !== undefined) chat.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  return canonicalRequest(chat);
}

function responseFormat(format: TextFormat): ResponseFormat {
  if (format.type !== 'json_schema') return format;
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.strict == null ? {} : { strict: format.strict }),
      ...(format.description == null ? {} : { description: format.description }),
    },
  };
}

function toMessages(request: ResponsesRequest): Message[] {
  const messages: Message[] = [];
  if (request.instructions != null && request.instructions !== '') messages.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') {
    messages.push({ role: 'user', content: request.input });
    return messages;
  }
  return [...messages, ...itemsToMessages(request.input)];
}

/**
 * Items in order. Consecutive assistant output (text, function calls) is one
 * assistant turn, as a chat model produced it. Reasoning items wait for the
 * assistant turn they preceded; reasoning with no assistant turn after it has
 * nothing to attach to and is dropped (no provider accepts it on its own).
 */
function itemsToMessages(items: readonly InputItem[]): Message[] {
  const messages: Message[] = [];
  let pendingReasoning: ReasoningDetailInput[] = [];
  let reasoningItems = 0;
  /** The assistant turn output goes to: the last message when it is one, else a new turn. */
  const openAssistant = (): AssistantMessage => {
    const last = messages.at(-1);
    const turn: AssistantMessage = last?.role === 'assistant' ? last : { role: 'assistant', content: null };
    if (turn !== last) messages.push(turn);
    if (pendingReasoning.length > 0) turn.reasoning_details = [...(turn.reasoning_details ?? []), ...pendingReasoning];
    pendingReasoning = [];
    return turn;
  };
  for (const item of items) {
    switch (item.type) {
      case 'message':
        if (item.role === 'assistant') appendAssistantText(openAssistant(), item);
        else messages.push(nonAssistantMessage(item.role, item.content));
        break;
      case 'function_call':
        appendToolCall(openAssistant(), item);
        break;
      case 'function_call_output':
        messages.push(toolMessage(item));
        break;
      case 'reasoning':
        pendingReasoning.push(...reasoningDetails(item, reasoningItems));
        reasoningItems += 1;
        break;
      case 'item_reference':
        // Refused by the schema (stateless); nothing to resolve it against.
        break;
    }
  }
  return messages;
}

function nonAssistantMessage(role: 'user' | 'system' | 'developer', content: MessageItem['content']): Message {
  if (role === 'user') return { role, content: typeof content === 'string' ? content : content.map(contentPart) };
  // System and developer turns hold text only on the chat wire (the schema allows only `input_text` in them).
  return { role, content: typeof content === 'string' ? content : content.map(partText).join('') };
}

function appendAssistantText(turn: AssistantMessage, item: MessageItem): void {
  const parts = typeof item.content === 'string' ? [{ type: 'output_text' as const, text: item.content }] : item.content;
  let text = typeof turn.content === 'string' ? turn.content : '';
  for (const part of parts) {
    if (part.type === 'refusal') turn.refusal = (turn.refusal ?? '') + part.refusal;
    else text += partText(part);
  }
  turn.content = text;
}

function appendToolCall(turn: AssistantMessage, item: FunctionCallItem): void {
  const call: ToolCall = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
  turn.tool_calls = [...(turn.tool_calls ?? []), call];
}

function toolMessage(item: FunctionCallOutputItem): Message {
  return {
    role: 'tool',
    tool_call_id: item.call_id,
    content: typeof item.output === 'string' ? item.output : item.output.map(contentPart),
  };
}

/**
 * A reasoning item as the chat wire's `reasoning_details`: its text (summary
 * or full) with the signature that lets Anthropic and Gemini accept it back,
 * and its encrypted form. `index` keeps one item's details together.
 */
function reasoningDetails(item: ReasoningItem, index: number): ReasoningDetailInput[] {
  const format = item.format ?? 'unknown';
  const id = item.id ?? undefined;
  const details: ReasoningDetailInput[] = [];
  const text = [...item.summary.map((part) => part.text), ...(item.content ?? []).map((part) => part.text)].join('');
  if (text !== '' || item.signature != null) {
    details.push({ type: 'reasoning.text', text, ...(item.signature == null ? {} : { signature: item.signature }), id, format, index });
  }
  if (item.encrypted_content != null && item.encrypted_content !== '') {
    details.push({ type: 'reasoning.encrypted', data: item.encrypted_content, id, format, index });
  }
  return details;
}

function contentPart(part: InputContentPart): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image':
      // The schema requires `image_url` (no uploaded files to look up).
      return { type: 'image_url', image_url: { url: part.image_url ?? '', ...(part.detail === undefined ? {} : { detail: part.detail }) } };
    case 'input_file':
      return {
        type: 'file',
        file: {
          ...(part.filename == null ? {} : { filename: part.filename }),
          file_data: part.file_data ?? part.file_url ?? '',
        },
      };
  }
}

function partText(part: InputContentPart): string {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return part.text;
    case 'refusal':
      return part.refusal;
    case 'input_image':
    case 'input_file':
      return '';
  }
}
