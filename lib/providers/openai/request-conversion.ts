// The validated chat request → the body an OpenAI-compatible host receives.
// Routing inputs and OpenRouter-only fields never leave the gateway; optional
// parameters go only to endpoints whose catalog entry lists them (the rest are
// dropped silently, as OpenRouter does, openrouter-api.md §2.3); unknown
// top-level extras (Mistral's `safe_prompt`, vLLM's `guided_json`) pass through.
import type { ChatRequest, ContentPart, Message } from '../../api/chat-request.ts';
import type { SupportedParameter } from '../../catalog/schema.ts';
import type { ProviderCall } from '../types.ts';

export type OpenaiContentPart =
  | { type: 'text'; text: string }
  | Exclude<ContentPart, { type: 'text' }>;

export interface OpenaiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenaiMessage =
  | { role: 'system' | 'developer'; content: string | OpenaiContentPart[]; name?: string }
  | { role: 'user'; content: string | OpenaiContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | OpenaiContentPart[] | null;
      name?: string;
      tool_calls?: OpenaiToolCall[];
      refusal?: string;
    }
  | { role: 'tool'; content: string | OpenaiContentPart[]; tool_call_id: string; name?: string };

export interface OpenaiTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenaiReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface OpenaiChatBody {
  model: string;
  messages: OpenaiMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: true;
  stream_options?: { include_usage: true };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  top_a?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  seed?: number;
  stop?: string | string[];
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: ChatRequest['response_format'];
  tools?: OpenaiTool[];
  tool_choice?: ChatRequest['tool_choice'];
  parallel_tool_calls?: boolean;
  prediction?: { type: 'content'; content: string | { type: 'text'; text: string }[] };
  verbosity?: 'low' | 'medium' | 'high';
  reasoning_effort?: OpenaiReasoningEffort;
  /** Provider-specific extras the caller sent, unchanged. */
  [extra: string]: unknown;
}

/** Sampling parameters whose value goes upstream as is, each gated by the same-named capability. */
const PLAIN_PARAMETERS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'top_a',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'seed',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'tool_choice',
  'parallel_tool_calls',
] as const satisfies readonly (keyof ChatRequest & SupportedParameter)[];

/**
 * The request's `extras` (top-level fields the chat wire does not define)
 * pass through, except those that are not the caller's to pass: OpenRouter's
 * own (`debug`, `preset`) and `n`, because the gateway relays exactly one
 * choice. Of the wire's own fields, dropped without a capability to gate
 * them: `user` (OpenRouter never forwards it raw), `metadata` (caller
 * bookkeeping), `service_tier` (a routing choice: the endpoint's price
 * assumes its own tier), `modalities` (text only here), `prompt_cache_key`
 * and `cache_control` (not in the capability vocabulary).
 */
const WITHHELD_EXTRAS: ReadonlySet<string> = new Set(['debug', 'preset', 'n']);

export function convertRequest(call: Pick<ProviderCall, 'request' | 'endpoint' | 'stream' | 'maxTokens'>): OpenaiChatBody {
  const { request, endpoint } = call;
  const supports = (parameter: SupportedParameter): boolean => endpoint.supportedParameters.has(parameter);

  const body: OpenaiChatBody = { model: endpoint.upstreamModel, messages: request.messages.map(convertMessage) };
  for (const [key, value] of Object.entries(request.extras)) {
    if (!WITHHELD_EXTRAS.has(key) && value !== undefined) body[key] = value;
  }

  if (supports('max_completion_tokens')) body.max_completion_tokens = call.maxTokens;
  else body.max_tokens = call.maxTokens;

  const fields: Record<string, unknown> = body;
  for (const parameter of PLAIN_PARAMETERS) {
    const value = request[parameter];
    if (value !== undefined && supports(parameter)) fields[parameter] = value;
  }
  if (request.prediction !== undefined && supports('prediction')) {
    body.prediction = { type: 'content', content: convertTextContent(request.prediction.content) };
  }
  if (request.stop != null && supports('stop')) body.stop = request.stop;
  if (request.tools !== undefined && supports('tools')) body.tools = request.tools.map(convertTool);
  if (request.response_format !== undefined && supportsResponseFormat(request.response_format, supports)) {
    body.response_format = request.response_format;
  }
  if (request.verbosity !== undefined && supports('verbosity')) body.verbosity = clampLevel(request.verbosity);

  const effort = reasoningEffort(request);
  if (effort !== undefined && (supports('reasoning') || supports('reasoning_effort'))) body.reasoning_effort = effort;

  // A host that speaks OpenRouter's dialect (OpenRouter itself) takes some of its fields as they came.
  for (const field of endpoint.provider.requestFields ?? []) {
    const value = field === 'reasoning' ? openRouterReasoning(request.reasoning) : request[field];
    if (value === undefined || (field === 'reasoning' && !supports('reasoning'))) continue;
    fields[field] = value;
    // OpenRouter's reasoning object says more than the effort (max_tokens, exclude); one of the two goes.
    if (field === 'reasoning') delete body.reasoning_effort;
  }

  if (call.stream) {
    body.stream = true;
    // Usage arrives in one last chunk (choices: []) only when asked for.
    body.stream_options = { include_usage: true };
  }
  return body;
}

function supportsResponseFormat(
  format: NonNullable<ChatRequest['response_format']>,
  supports: (parameter: SupportedParameter) => boolean,
): boolean {
  if (supports('response_format')) return true;
  // OpenRouter lists JSON-schema output separately as `structured_outputs`.
  return format.type === 'json_schema' && supports('structured_outputs');
}

/** Levels above `high` exist only on some models; `high` is what every host accepts. */
function clampLevel(level: 'low' | 'medium' | 'high' | 'xhigh' | 'max'): 'low' | 'medium' | 'high' {
  return level === 'xhigh' || level === 'max' ? 'high' : level;
}

/** The resolved reasoning setting in OpenRouter's own `reasoning` object; undefined when the caller said nothing. */
function openRouterReasoning(reasoning: ChatRequest['reasoning']): Record<string, unknown> | undefined {
  if (reasoning.mode === 'default') return undefined;
  if (reasoning.mode === 'off') return { effort: 'none' };
  const object: Record<string, unknown> = {};
  if (reasoning.effort !== undefined) object.effort = reasoning.effort;
  if (reasoning.budgetTokens !== undefined) object.max_tokens = reasoning.budgetTokens;
  if (reasoning.exclude) object.exclude = true;
  if (reasoning.summary !== undefined) object.summary = reasoning.summary;
  return Object.keys(object).length > 0 ? object : { enabled: true };
}

function reasoningEffort(request: ChatRequest): OpenaiReasoningEffort | undefined {
  const { mode, effort } = request.reasoning;
  if (mode !== 'on') return undefined;
  switch (effort) {
    case undefined:
    case 'none':
      return undefined;
    case 'minimal':
      return 'minimal';
    case 'low':
    case 'medium':
    case 'high':
    case 'xhigh':
    case 'max':
      return clampLevel(effort);
  }
}

function convertTool(tool: NonNullable<ChatRequest['tools']>[number]): OpenaiTool {
  const { name, description, parameters, strict } = tool.function;
  const converted: OpenaiTool = { type: 'function', function: { name } };
  if (description !== undefined) converted.function.description = description;
  if (parameters !== undefined) converted.function.parameters = parameters;
  if (strict != null) converted.function.strict = strict;
  return converted;
}

function convertMessage(message: Message): OpenaiMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user':
      return withName({ role: message.role, content: convertContent(message.content) }, message.name);
    case 'assistant': {
      // reasoning / reasoning_content / reasoning_details are the gateway's
      // record of earlier turns; Chat Completions hosts reject or ignore them.
      const converted: OpenaiMessage = {
        role: 'assistant',
        content: message.content == null ? null : convertContent(message.content),
      };
      if (message.tool_calls !== undefined) converted.tool_calls = message.tool_calls.map(copyToolCall);
      if (message.refusal != null) converted.refusal = message.refusal;
      return withName(converted, message.name);
    }
    case 'tool':
      return withName(
        { role: 'tool', content: convertContent(message.content), tool_call_id: message.tool_call_id },
        message.name,
      );
  }
}

function withName<T extends OpenaiMessage>(message: T, name: string | undefined): T {
  if (name !== undefined) message.name = name;
  return message;
}

function copyToolCall(call: OpenaiToolCall): OpenaiToolCall {
  return { id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } };
}

function convertTextContent(content: string | readonly { type: 'text'; text: string }[]): string | { type: 'text'; text: string }[] {
  return typeof content === 'string' ? content : content.map((part) => ({ type: 'text', text: part.text }));
}

function convertContent(content: string | readonly ContentPart[]): string | OpenaiContentPart[] {
  if (typeof content === 'string') return content;
  // `cache_control` on text parts is an Anthropic-style hint OpenAI rejects.
  return content.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : part));
}
