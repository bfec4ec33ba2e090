// Reads an OpenAI chat-completions request: lenient about fields the
// simulator ignores, strict about the ones it acts on.
import { z } from 'zod';
import type { SimulatedRequest, SimulatedToolChoice, LastTurn } from './simulated-request.ts';
import { describeIssues, type ParsedRequest, type WireEndpoint } from './wire.ts';

const textPart = z.object({ type: z.string(), text: z.string().nullish() }).loose();
const content = z.union([z.string(), z.array(textPart)]).nullish();
const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content,
    tool_calls: z
      .array(z.object({ function: z.object({ name: z.string(), arguments: z.string().nullish() }).loose() }).loose())
      .nullish(),
  })
  .loose();
const tool = z
  .object({
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), parameters: z.record(z.string(), z.unknown()).nullish() }).loose(),
  })
  .loose();
const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).loose() }).loose(),
]);
const chatCompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: toolChoice.nullish(),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }).loose(),
        z.object({ type: z.literal('json_object') }).loose(),
        z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string(), schema: z.unknown().optional() }).loose() }).loose(),
      ])
      .nullish(),
  })
  .loose();
type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

export function parseOpenAiRequest(body: unknown, endpoint: WireEndpoint = {}): ParsedRequest {
  // An Azure deployment route names the model in the path, not the body.
  const named = endpoint.model !== undefined && isRecord(body) && body.model === undefined ? { ...body, model: endpoint.model } : body;
  const parsed = chatCompletionRequest.safeParse(named);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const request = parsed.data;
  const tools = (request.tools ?? []).map((entry) => ({ name: entry.function.name, parameters: entry.function.parameters }));
  const choice = readToolChoice(request);
  if (choice.type === 'tool' && !tools.some((entry) => entry.name === choice.name)) {
    return { ok: false, message: `tool_choice: names the function "${choice.name}", which is not in tools` };
  }
  const simulated: SimulatedRequest = {
    model: request.model,
    stream: request.stream === true,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    texts: request.messages.flatMap(messageTexts),
    tools,
    toolChoice: choice,
    lastTurn: lastTurn(request.messages.at(-1)?.role),
    includeUsage: request.stream_options?.include_usage === true,
  };
  const format = request.response_format;
  if (format?.type === 'json_object') simulated.responseFormat = { type: 'json-object' };
  if (format?.type === 'json_schema') simulated.responseFormat = { type: 'json-schema', schema: format.json_schema.schema };
  return { ok: true, request: simulated };
}

function readToolChoice(request: ChatCompletionRequest): SimulatedToolChoice {
  const choice = request.tool_choice;
  if (choice === undefined || choice === null || choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'required' };
  return { type: 'tool', name: choice.function.name };
}

function messageTexts(entry: z.infer<typeof message>): string[] {
  const texts: string[] = [];
  if (typeof entry.content === 'string') texts.push(entry.content);
  else for (const part of entry.content ?? []) if (typeof part.text === 'string') texts.push(part.text);
  for (const call of entry.tool_calls ?? []) texts.push(call.function.name, call.function.arguments ?? '');
  return texts;
}

function lastTurn(role: z.infer<typeof message>['role'] | undefined): LastTurn {
  if (role === 'user') return 'user';
  if (role === 'tool' || role === 'function') return 'tool-result';
  return 'other';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
