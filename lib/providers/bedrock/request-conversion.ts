// A validated chat request as a Converse request body. Sampling parameters the
// endpoint does not support are left out, as OpenRouter does (§2.1).
import type { ChatRequest } from '../../api/chat-request.ts';
import type { Endpoint } from '../../catalog/catalog.ts';
// Claude on Bedrock takes Anthropic's thinking parameters verbatim: one
// conversion of `reasoning` for both routes to Claude.
import { planThinking } from '../anthropic/thinking-budget.ts';
import { cachePoint, convertMessages } from './message-conversion.ts';
import type { ConverseMessage, ConverseRequestBody, InferenceConfig, ToolChoice, ToolConfig } from './wire-types.ts';

export interface ConversionInput {
  request: ChatRequest;
  endpoint: Endpoint;
  maxTokens: number;
}

/** Claude on Bedrock: `anthropic.claude-…`, with or without a cross-region prefix (`us.`, `global.`). */
export function isClaudeModel(upstreamModel: string): boolean {
  return upstreamModel.includes('anthropic.claude');
}

// With thinking on, Claude rejects a custom temperature and a top_p below 0.95.
const MIN_TOP_P_WITH_THINKING = 0.95;

export function convertRequest({ request, endpoint, maxTokens }: ConversionInput): ConverseRequestBody {
  const supports = (parameter: Parameters<Endpoint['supportedParameters']['has']>[0]): boolean =>
    endpoint.supportedParameters.has(parameter);
  const converted = convertMessages(request.messages);

  const plan =
    isClaudeModel(endpoint.upstreamModel) && supports('reasoning')
      ? planThinking(request, { maxTokens, endpointMaxTokens: endpoint.maxCompletionTokens })
      : { thinking: undefined, maxTokens };
  const budget = plan.thinking?.budget_tokens;

  const inferenceConfig: InferenceConfig = { maxTokens: plan.maxTokens };
  if (request.temperature !== undefined && supports('temperature') && budget === undefined) {
    inferenceConfig.temperature = request.temperature;
  }
  if (
    request.top_p !== undefined &&
    supports('top_p') &&
    (budget === undefined || request.top_p >= MIN_TOP_P_WITH_THINKING)
  ) {
    inferenceConfig.topP = request.top_p;
  }
  if (request.stop != null && supports('stop')) {
    const stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
    if (stopSequences.length > 0) inferenceConfig.stopSequences = stopSequences;
  }

  if (request.cache_control !== undefined) addTrailingCachePoint(converted.messages, request.cache_control);

  const body: ConverseRequestBody = { messages: converted.messages, inferenceConfig };
  if (converted.system.length > 0) body.system = converted.system;
  const toolConfig = toToolConfig(request, converted.hasToolBlocks);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  if (plan.thinking !== undefined) body.additionalModelRequestFields = { thinking: plan.thinking };
  return body;
}

function toToolConfig(request: ChatRequest, hasToolBlocks: boolean): ToolConfig | undefined {
  const tools = request.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice = request.tool_choice;
  // Converse has no "none" choice. Leaving the tools out does it, except that
  // Converse refuses tool calls and results in the history without a toolConfig.
  if (choice === 'none' && !hasToolBlocks) return undefined;

  const config: ToolConfig = {
    tools: tools.flatMap((tool) => {
      const spec = {
        toolSpec: {
          name: tool.function.name,
          ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
          inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } },
        },
      };
      return tool.cache_control === undefined ? [spec] : [spec, cachePoint(tool.cache_control)];
    }),
  };
  const toolChoice = toToolChoice(choice);
  if (toolChoice !== undefined) config.toolChoice = toolChoice;
  return config;
}

function toToolChoice(choice: ChatRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined || choice === 'none') return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  return { tool: { name: choice.function.name } };
}

/** Top-level `cache_control` (automatic caching): everything up to the end of the conversation. */
function addTrailingCachePoint(messages: ConverseMessage[], control: NonNullable<ChatRequest['cache_control']>): void {
  const last = messages.at(-1);
  if (last === undefined) return;
  const lastBlock = last.content.at(-1);
  if (lastBlock !== undefined && 'cachePoint' in lastBlock) return;
  last.content.push(cachePoint(control));
}
