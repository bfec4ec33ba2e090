// OpenAI's Responses wire on a simulated OpenAI-kind provider: `POST
// /responses` (or `/v1/responses`) with an `input`, answered with Responses
// SSE events (`event: <type>` + `data: {…,"sequence_number":n}`, from
// `response.created` to `response.completed`, or `response.incomplete` when
// max_output_tokens cut the text) or one `response` object, as
// api.openai.com sends them. Errors, request ids and pacing are the chat wire's.
// https://developers.openai.com/api/reference/resources/responses/streaming-events
import { z } from 'zod';
import { seededHex, seededId } from './deterministic.ts';
import { openaiWire } from './openai-wire.ts';
import type { StreamFrame, StreamScript } from './paced-stream.ts';
import type { ReplyPlan } from './reply-plan.ts';
import type { LastTurn, SimulatedRequest, SimulatedToolChoice } from './simulated-request.ts';
import { brokenJson, describeIssues, type ParsedRequest, type ReplyContext, type SimulatorWire } from './wire.ts';

const part = z.object({ type: z.string(), text: z.string().nullish(), refusal: z.string().nullish() }).loose();
const item = z
  .object({
    type: z.string().optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
    content: z.union([z.string(), z.array(part)]).nullish(),
    name: z.string().nullish(),
    arguments: z.string().nullish(),
    output: z.union([z.string(), z.array(part)]).nullish(),
    summary: z.array(part).nullish(),
  })
  .loose();
const responsesRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(item).min(1)]),
    instructions: z.string().nullish(),
    stream: z.boolean().nullish(),
    max_output_tokens: z.number().int().positive().nullish(),
    tools: z
      .array(z.object({ type: z.string(), name: z.string().nullish(), parameters: z.record(z.string(), z.unknown()).nullish() }).loose())
      .nullish(),
    tool_choice: z
      .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string() }).loose()])
      .nullish(),
  })
  .loose();
type ResponsesRequest = z.infer<typeof responsesRequest>;
type InputItem = z.infer<typeof item>;

/** Whether a path (after `/<providerId>`) is the Responses endpoint. */
export function isResponsesPath(path: string): boolean {
  return /^(\/v1)?\/responses$/.test(path);
}

export const openaiResponsesWire: SimulatorWire = {
  ...openaiWire,
  endpoint: (method, path) => (method === 'POST' && isResponsesPath(path) ? {} : undefined),
  claims: isResponsesPath,
  parseRequest,
  streamScript,
  jsonBody,
  errorEvent: (context) => {
    const error = { code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' };
    return {
      frame: `event: error\ndata: ${JSON.stringify({ type: 'error', ...error, param: null, sequence_number: 0 })}\n\n`,
      body: JSON.stringify({ ...responseObject({ id: responseId(context), model: '', created: context.created }, 'failed', [], null), error }),
    };
  },
  malformedFrame: (_plan, _request, context) =>
    `event: response.output_text.delta\ndata: ${brokenJson(JSON.stringify({ type: 'response.output_text.delta', item_id: messageId(context), output_index: 0, content_index: 0, delta: ' broken' }))}\n\n`,
};

function parseRequest(body: unknown): ParsedRequest {
  const parsed = responsesRequest.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const request = parsed.data;
  const tools = (request.tools ?? [])
    .filter((tool) => tool.type === 'function' && typeof tool.name === 'string' && tool.name !== '')
    .map((tool) => ({ name: tool.name as string, parameters: tool.parameters }));
  const choice = toolChoice(request);
  if (choice.type === 'tool' && !tools.some((tool) => tool.name === choice.name)) {
    return { ok: false, message: `tool_choice: names the function "${choice.name}", which is not in tools` };
  }
  const items: InputItem[] = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
  const simulated: SimulatedRequest = {
    model: request.model,
    stream: request.stream === true,
    maxTokens: request.max_output_tokens ?? undefined,
    texts: [...(request.instructions == null ? [] : [request.instructions]), ...items.flatMap(itemTexts)],
    tools,
    toolChoice: choice,
    lastTurn: lastTurn(items.at(-1)),
    // The Responses wire always reports usage, in its last event.
    includeUsage: true,
  };
  return { ok: true, request: simulated };
}

function toolChoice(request: ResponsesRequest): SimulatedToolChoice {
  const choice = request.tool_choice;
  if (choice == null || choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'required' };
  return { type: 'tool', name: choice.name };
}

function itemTexts(entry: InputItem): string[] {
  const texts = (value: InputItem['content']): string[] =>
    typeof value === 'string' ? [value] : (value ?? []).flatMap((piece) => [piece.text ?? piece.refusal ?? ''].filter((text) => text !== ''));
  if (entry.type === 'function_call') return [entry.name ?? '', entry.arguments ?? ''];
  if (entry.type === 'function_call_output') return texts(entry.output);
  if (entry.type === 'reasoning') return texts(entry.summary);
  return texts(entry.content);
}

function lastTurn(entry: InputItem | undefined): LastTurn {
  if (entry?.type === 'function_call_output') return 'tool-result';
  if ((entry?.type === undefined || entry.type === 'message') && entry?.role === 'user') return 'user';
  return 'other';
}

interface Envelope {
  id: string;
  model: string;
  created: number;
}

function streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript {
  let sequence = 0;
  const frame = (event: Record<string, unknown>, tokens = 0): StreamFrame => {
    const text = `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`;
    sequence += 1;
    return { text, tokens };
  };
  const envelope = { id: responseId(context), model: request.model, created: context.created };
  const started = responseObject(envelope, 'in_progress', [], null);
  const opening = [frame({ type: 'response.created', response: started }), frame({ type: 'response.in_progress', response: started })];
  const content = plan.content;
  const item = outputItem(plan, context);
  const at = { item_id: item.id, output_index: 0 };
  const status = plan.finish === 'length' ? 'incomplete' : 'completed';
  const finished = { ...item, status };
  if (content.type === 'text') {
    opening.push(
      frame({ type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
      frame({ type: 'response.content_part.added', ...at, content_index: 0, part: textPart('') }),
    );
    const deltas = content.tokens.map((token) => frame({ type: 'response.output_text.delta', ...at, content_index: 0, delta: token, logprobs: [] }, 1));
    const text = content.tokens.join('');
    const closing = [
      frame({ type: 'response.output_text.done', ...at, content_index: 0, text, logprobs: [] }),
      frame({ type: 'response.content_part.done', ...at, content_index: 0, part: textPart(text) }),
      frame({ type: 'response.output_item.done', output_index: 0, item: finished }),
      frame({ type: status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: responseObject(envelope, status, [finished], plan) }),
    ];
    return { opening, content: deltas, closing };
  }
  opening.push(frame({ type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }));
  const deltas = content.fragments.map((fragment) => frame({ type: 'response.function_call_arguments.delta', ...at, delta: fragment }, 1));
  const closing = [
    frame({ type: 'response.function_call_arguments.done', ...at, arguments: content.arguments }),
    frame({ type: 'response.output_item.done', output_index: 0, item: finished }),
    frame({ type: 'response.completed', response: responseObject(envelope, 'completed', [finished], plan) }),
  ];
  return { opening, content: deltas, closing };
}

function jsonBody(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): string {
  const status = plan.finish === 'length' ? 'incomplete' : 'completed';
  const item = { ...outputItem(plan, context), status };
  return JSON.stringify(responseObject({ id: responseId(context), model: request.model, created: context.created }, status, [item], plan), null, 2);
}

/** The one output item of a reply: a message with its text, or the function call. */
function outputItem(plan: ReplyPlan, context: ReplyContext): Record<string, unknown> & { id: string } {
  const content = plan.content;
  if (content.type === 'text') {
    return { id: messageId(context), type: 'message', status: 'completed', role: 'assistant', content: [textPart(content.tokens.join(''))] };
  }
  return {
    id: seededId('fc_', 48, `${context.requestKey}:item`, '0123456789abcdef'),
    type: 'function_call',
    status: 'completed',
    arguments: content.arguments,
    call_id: seededId('call_', 24, `${context.requestKey}:call`),
    name: content.name,
  };
}

function responseObject(envelope: Envelope, status: string, output: unknown[], plan: ReplyPlan | null): Record<string, unknown> {
  return {
    id: envelope.id,
    object: 'response',
    created_at: envelope.created,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    model: envelope.model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: 1,
    top_p: 1,
    store: false,
    usage:
      plan === null
        ? null
        : {
            input_tokens: plan.promptTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: plan.completionTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: plan.promptTokens + plan.completionTokens,
          },
  };
}

function textPart(text: string): Record<string, unknown> {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function responseId(context: ReplyContext): string {
  return seededHex('resp_', 48, context.requestKey);
}

function messageId(context: ReplyContext): string {
  return seededHex('msg_', 48, `${context.requestKey}:message`);
}
