// A validated chat request → the body of POST /v1/messages.
import type { ChatRequest, FunctionTool, ToolChoice } from '../../api/chat-request.ts';
import type { Endpoint } from '../../catalog/catalog.ts';
import { JSON_OBJECT_INSTRUCTION } from '../../wires/anthropic-messages.ts';
import { convertMessages } from './message-conversion.ts';
import type { AnthropicRequest, AnthropicTextBlock, AnthropicTool, AnthropicToolChoice } from './request-types.ts';
import { planThinking } from './thinking-budget.ts';

export interface AnthropicRequestInput {
  request: ChatRequest;
  endpoint: Endpoint;
  stream: boolean;
  /** The output cap the gateway enforces; Anthropic requires `max_tokens` on every request. */
  maxTokens: number;
}

export function convertRequest(input: AnthropicRequestInput): AnthropicRequest {
  const { request, endpoint } = input;
  const supports = endpoint.supportedParameters;
  const { system, messages } = convertMessages(request.messages);
  const plan = supports.has('reasoning')
    ? planThinking(request, { maxTokens: input.maxTokens, endpointMaxTokens: endpoint.maxCompletionTokens })
    : { thinking: undefined, maxTokens: input.maxTokens };

  const body: AnthropicRequest = { model: endpoint.upstreamModel, max_tokens: plan.maxTokens, messages };
  if (input.stream) body.stream = true;

  const structured = structuredOutput(request, supports.has('structured_outputs'));
  const allSystem = structured.instruction === undefined ? system : [...system, structured.instruction];
  if (allSystem.length > 0) body.system = allSystem;
  if (structured.schema !== undefined) body.output_config = { format: { type: 'json_schema', schema: structured.schema } };

  const stop = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stop.length > 0) body.stop_sequences = [...stop];

  // Sampling parameters go only where the catalog says the endpoint takes them.
  if (request.temperature !== undefined && supports.has('temperature')) body.temperature = request.temperature;
  if (request.top_p !== undefined && supports.has('top_p')) body.top_p = request.top_p;
  if (request.top_k !== undefined && supports.has('top_k')) body.top_k = request.top_k;

  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => convertTool(tool, supports.has('structured_outputs')));
    const choice = convertToolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (plan.thinking !== undefined) body.thinking = plan.thinking;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.cache_control !== undefined) body.cache_control = request.cache_control;
  return body;
}

function convertTool(tool: FunctionTool, strictSupported: boolean): AnthropicTool {
  const converted: AnthropicTool = {
    name: tool.function.name,
    // Anthropic requires an object schema even for a tool without parameters.
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) converted.description = tool.function.description;
  if (tool.function.strict === true && strictSupported) converted.strict = true;
  if (tool.cache_control !== undefined) converted.cache_control = tool.cache_control;
  return converted;
}

function convertToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...serial } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...serial };
  if (choice === 'required') return { type: 'any', ...serial };
  return { type: 'tool', name: choice.function.name, ...serial };
}

interface StructuredOutput {
  schema?: Record<string, unknown>;
  instruction?: AnthropicTextBlock;
}

/**
 * `response_format` → Anthropic's native structured output
 * (`output_config.format`, generally available; it replaced the beta
 * `output_format` + `anthropic-beta: structured-outputs-2025-11-13`) where the
 * endpoint supports it, else an instruction in the system prompt.
 */
function structuredOutput(request: ChatRequest, native: boolean): StructuredOutput {
  const format = request.response_format;
  if (format === undefined) return {};
  switch (format.type) {
    case 'json_schema': {
      const schema = format.json_schema.schema;
      if (schema !== undefined && native) return { schema };
      const description = format.json_schema.description !== undefined ? ` (${format.json_schema.description})` : '';
      const lead = `Respond only with a JSON object, without any other text: "${format.json_schema.name}"${description}`;
      const text = schema !== undefined ? `${lead}, conforming to this JSON schema:\n${JSON.stringify(schema)}` : `${lead}.`;
      return { instruction: { type: 'text', text } };
    }
    case 'json_object':
      return { instruction: { type: 'text', text: JSON_OBJECT_INSTRUCTION } };
    case 'text':
    case 'grammar':
    case 'python':
      return {};
  }
}
