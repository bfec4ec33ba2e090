// The `response` object: what one generation looks like on the Responses
// wire, both as the JSON reply and inside `response.created`,
// `response.completed`, `response.failed` and the rest. It repeats the
// request's parameters, as OpenAI's does; `provider` (who served it) and
// `usage.cost` are OpenRouter's additions.
import type { ChatRequest } from '../../api/chat-request.ts';
import type { GatewayError } from '../../api/errors.ts';
import { microsToUsd } from '../../billing/cost.ts';
import type { BilledUsage, GenerationMeta } from '../../pipeline/door.ts';
import type { FinishReason } from '../../streaming/events.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  cost: number;
  is_byok: false;
  cost_details: { upstream_inference_cost: number; upstream_inference_input_cost: number; upstream_inference_output_cost: number };
}

export interface ResponseState {
  status: ResponseStatus;
  output: Record<string, unknown>[];
  /** Why a response is `incomplete`. */
  incompleteReason?: 'max_output_tokens' | 'content_filter';
  /** Why a response `failed`. */
  error?: GatewayError;
  billed?: BilledUsage;
}

export function responseObject(meta: GenerationMeta, request: ChatRequest | undefined, state: ResponseState): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.created,
    status: state.status,
    model: meta.model,
    provider: meta.provider,
    output: state.output,
    error: state.error === undefined ? null : responseError(state.error),
    incomplete_details: state.incompleteReason === undefined ? null : { reason: state.incompleteReason },
    // Instructions became the first system message of the canonical request; the request no longer tells them apart.
    instructions: null,
    metadata: request?.metadata ?? {},
    tools: (request?.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.function.name,
      description: tool.function.description ?? null,
      parameters: tool.function.parameters ?? null,
      strict: tool.function.strict ?? null,
    })),
    tool_choice: toolChoice(request),
    parallel_tool_calls: request?.parallel_tool_calls ?? true,
    temperature: request?.temperature ?? null,
    top_p: request?.top_p ?? null,
    max_output_tokens: request?.maxOutputTokens ?? null,
    reasoning: request === undefined || request.reasoning.mode === 'default' ? null : { effort: request.reasoning.effort ?? null, summary: request.reasoning.summary ?? null },
    text: { format: textFormat(request), verbosity: request?.verbosity ?? null },
    store: false,
    background: false,
    service_tier: request?.service_tier ?? 'auto',
    usage: state.billed === undefined ? null : responsesUsage(state.billed),
  };
}

/** A finish reason as the response's status: a cut-off answer is `incomplete`, and says why. */
export function finishedState(reason: FinishReason): Pick<ResponseState, 'status' | 'incompleteReason'> {
  switch (reason) {
    case 'length':
      return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
    case 'content_filter':
      return { status: 'incomplete', incompleteReason: 'content_filter' };
    case 'error':
      return { status: 'failed' };
    case 'stop':
    case 'tool_calls':
      return { status: 'completed' };
  }
}

export function responsesUsage({ usage, cost }: BilledUsage): ResponsesUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.promptTokens + usage.completionTokens,
    cost: microsToUsd(cost.totalMicros),
    is_byok: false,
    cost_details: {
      upstream_inference_cost: microsToUsd(cost.totalMicros),
      upstream_inference_input_cost: microsToUsd(cost.promptMicros),
      upstream_inference_output_cost: microsToUsd(cost.completionMicros),
    },
  };
}

/**
 * OpenRouter's Responses error codes: its error types collapse into the few
 * OpenAI codes (`invalid_prompt` for a request it refused, `rate_limit_exceeded`,
 * `server_error` for the rest).
 */
export function responsesErrorCode(error: GatewayError): string {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400 || error.status === 413) return 'invalid_prompt';
  return 'server_error';
}

/** A failed response's `error`: the public message only (5xx never carry upstream text). */
export function responseError(error: GatewayError): { code: string; message: string } {
  return { code: responsesErrorCode(error), message: error.publicMessage };
}

function toolChoice(request: ChatRequest | undefined): unknown {
  const choice = request?.tool_choice;
  if (choice === undefined) return 'auto';
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.function.name };
}

function textFormat(request: ChatRequest | undefined): Record<string, unknown> {
  const format = request?.response_format;
  if (format === undefined || format.type !== 'json_schema') return { type: format?.type === 'json_object' ? 'json_object' : 'text' };
  const { name, schema, strict, description } = format.json_schema;
  return { type: 'json_schema', name, schema: schema ?? {}, strict: strict ?? null, ...(description === undefined ? {} : { description }) };
}
