// A validated chat request → a Gemini generateContent body. Roles become
// `user`/`model`, system and developer messages `systemInstruction`, tool
// results `functionResponse` parts (Gemini wants the function's name, which
// OpenAI's tool messages leave out, so it is looked up from the call id).
import type { ChatRequest, Message } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
import type { SupportedParameter } from '../../catalog/schema.ts';
import type { ProviderCall } from '../types.ts';
import { contentToGemini } from './content-parts.ts';
import type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequestBody,
  GeminiToolConfig,
} from './request-types.ts';
import { thinkingConfig } from './thinking-config.ts';
import { attachSignatures } from './thought-signatures.ts';
import { toGeminiParameters } from './tool-schema.ts';

export type RequestConversionInput = Pick<ProviderCall, 'request' | 'endpoint' | 'maxTokens'>;

export function convertRequest({ request, endpoint, maxTokens }: RequestConversionInput): GeminiRequestBody {
  const supports = (parameter: SupportedParameter): boolean => endpoint.supportedParameters.has(parameter);
  const { contents, system } = convertMessages(request.messages);
  const body: GeminiRequestBody = { contents, generationConfig: generationConfig(request, maxTokens, supports) };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const declarations = functionDeclarations(request);
  if (declarations.length > 0) {
    body.tools = [{ functionDeclarations: declarations }];
    const config = toolConfig(request.tool_choice);
    if (config !== undefined) body.toolConfig = config;
  }
  return body;
}

interface ConvertedMessages {
  contents: GeminiContent[];
  system: { text: string }[];
}

function convertMessages(messages: readonly Message[]): ConvertedMessages {
  const contents: GeminiContent[] = [];
  const system: { text: string }[] = [];
  const toolNames = new Map<string, string>();
  // Consecutive tool results answer one model turn: they share one user content.
  let toolResults: GeminiContent | undefined;
  messages.forEach((message, index) => {
    const field = `messages[${index}]`;
    if (message.role !== 'tool') toolResults = undefined;
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const part of typeof message.content === 'string' ? [{ text: message.content }] : message.content) {
          system.push({ text: part.text });
        }
        return;
      case 'user':
        contents.push({ role: 'user', parts: contentToGemini(message.content, `${field}.content`) });
        return;
      case 'assistant': {
        const parts = assistantParts(message, field, toolNames);
        if (parts.length > 0) contents.push({ role: 'model', parts });
        return;
      }
      case 'tool': {
        const parts = toolResultParts(message, field, toolNames);
        if (toolResults === undefined) {
          toolResults = { role: 'user', parts };
          contents.push(toolResults);
        } else {
          toolResults.parts.push(...parts);
        }
        return;
      }
    }
  });
  return { contents, system };
}

type AssistantMessage = Extract<Message, { role: 'assistant' }>;
type ToolMessage = Extract<Message, { role: 'tool' }>;

function assistantParts(message: AssistantMessage, field: string, toolNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const toolCallIds: (string | undefined)[] = [];
  if (typeof message.content === 'string') {
    if (message.content !== '') parts.push({ text: message.content });
  } else if (message.content != null) {
    parts.push(...contentToGemini(message.content, `${field}.content`));
  }
  toolCallIds.push(...parts.map(() => undefined));
  message.tool_calls?.forEach((call, index) => {
    toolNames.set(call.id, call.function.name);
    const args = parseArguments(call.function.arguments, `${field}.tool_calls[${index}].function.arguments`);
    parts.push({ functionCall: { name: call.function.name, args } });
    toolCallIds.push(call.id);
  });
  attachSignatures(parts, toolCallIds, message.reasoning_details);
  return parts;
}

function parseArguments(text: string, field: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest(`\`${field}\` must be a JSON object`, { field });
  }
  return parsed as Record<string, unknown>;
}

function toolResultParts(message: ToolMessage, field: string, toolNames: Map<string, string>): GeminiPart[] {
  const name = toolNames.get(message.tool_call_id) ?? message.name;
  if (name === undefined) {
    throw invalidRequest(`\`${field}.tool_call_id\` does not match a tool call of an earlier assistant message`, {
      field: `${field}.tool_call_id`,
    });
  }
  const content = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
  const text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  // Images and files a tool returned travel beside the response, in the same turn.
  const media = contentToGemini(
    content.filter((part) => part.type !== 'text'),
    `${field}.content`,
  );
  return [{ functionResponse: { name, response: toolResponse(text) } }, ...media];
}

/** A JSON object result goes as is; anything else is wrapped, as Gemini wants an object. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Plain text.
  }
  return { result: text };
}

function functionDeclarations(request: ChatRequest): GeminiFunctionDeclaration[] {
  return (request.tools ?? []).map((tool) => {
    const declaration: GeminiFunctionDeclaration = { name: tool.function.name };
    if (tool.function.description !== undefined) declaration.description = tool.function.description;
    const parameters = toGeminiParameters(tool.function.parameters);
    if (parameters !== undefined) declaration.parameters = parameters;
    return declaration;
  });
}

function toolConfig(choice: ChatRequest['tool_choice']): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'object') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  const mode = ({ auto: 'AUTO', required: 'ANY', none: 'NONE' } as const)[choice];
  return { functionCallingConfig: { mode } };
}

function generationConfig(
  request: ChatRequest,
  maxTokens: number,
  supports: (parameter: SupportedParameter) => boolean,
): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = { maxOutputTokens: maxTokens };
  // Parameters the endpoint does not support are dropped, as OpenRouter does
  // (routing enforces `provider.require_parameters`).
  if (request.temperature !== undefined && supports('temperature')) config.temperature = request.temperature;
  if (request.top_p !== undefined && supports('top_p')) config.topP = request.top_p;
  if (request.top_k !== undefined && supports('top_k')) config.topK = request.top_k;
  if (request.seed !== undefined && supports('seed')) config.seed = request.seed;
  if (request.presence_penalty !== undefined && supports('presence_penalty')) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined && supports('frequency_penalty')) config.frequencyPenalty = request.frequency_penalty;
  if (request.stop != null && supports('stop')) {
    const stops = (typeof request.stop === 'string' ? [request.stop] : request.stop).filter((stop) => stop !== '');
    if (stops.length > 0) config.stopSequences = stops;
  }
  const format = request.response_format;
  if (format !== undefined && (supports('response_format') || supports('structured_outputs'))) {
    if (format.type === 'json_object') config.responseMimeType = 'application/json';
    if (format.type === 'json_schema') {
      config.responseMimeType = 'application/json';
      if (format.json_schema.schema !== undefined) config.responseJsonSchema = format.json_schema.schema;
    }
  }
  if (supports('reasoning') || supports('include_reasoning') || supports('reasoning_effort')) {
    const thinking = thinkingConfig(request, maxTokens);
    if (thinking !== undefined) config.thinkingConfig = thinking;
  }
  return config;
}
