// A validated Messages request → the canonical chat request every later
// step reads. Anthropic's parameters map one to one where the chat wire has
// them; `thinking` becomes OpenRouter's `reasoning`, which each provider
// adapter turns back into its own (for Claude: the same budget).
import { canonicalRequest, type ChatRequest, type ChatWireRequest, type FunctionTool, type ReasoningConfig, type ToolChoice } from '../../api/chat-request.ts';
import { convertMessages, systemMessage } from './message-conversion.ts';
import type { MessagesRequest, MessagesToolChoice } from './request-schema.ts';

export function toChatRequest(request: MessagesRequest): ChatRequest {
  const chat: ChatWireRequest = {
    messages: [...systemMessage(request.system), ...convertMessages(request.messages)],
    max_tokens: request.max_tokens,
  };
  if (request.model !== undefined) chat.model = request.model;
  if (request.models !== undefined) chat.models = request.models;
  if (request.provider !== undefined) chat.provider = request.provider;
  if (request.session_id !== undefined) chat.session_id = request.session_id;
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) chat.stop = request.stop_sequences;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) chat.top_k = request.top_k;
  if (request.tools !== undefined && request.tools.length > 0) {
    chat.tools = request.tools.map((tool): FunctionTool => {
      const converted: FunctionTool = {
        type: 'function',
        function: { name: tool.name, parameters: tool.input_schema, ...(tool.description === undefined ? {} : { description: tool.description }) },
      };
      if (tool.cache_control != null) converted.cache_control = tool.cache_control;
      return converted;
    });
  }
  if (request.tool_choice !== undefined) {
    chat.tool_choice = toolChoice(request.tool_choice);
    if (request.tool_choice.type !== 'none' && request.tool_choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
  }
  const reasoning = reasoningOf(request.thinking);
  if (reasoning !== undefined) chat.reasoning = reasoning;
  if (request.metadata?.user_id != null) chat.user = request.metadata.user_id;
  if (request.cache_control !== undefined) chat.cache_control = request.cache_control;
  return canonicalRequest(chat);
}

function toolChoice(choice: MessagesToolChoice): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/** No `thinking`, or `disabled`, asks for none: the request then carries no `reasoning` at all. */
function reasoningOf(thinking: MessagesRequest['thinking']): ReasoningConfig | undefined {
  switch (thinking?.type) {
    case undefined:
    case 'disabled':
      return undefined;
    case 'enabled':
      return { max_tokens: thinking.budget_tokens };
    case 'adaptive':
      return { enabled: true };
  }
}
