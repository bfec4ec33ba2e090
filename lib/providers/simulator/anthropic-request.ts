// Reads an Anthropic Messages request. `max_tokens` is required, as on
// api.anthropic.com; no credential is: simulated providers accept anyone.
import { z } from 'zod';
import { JSON_OBJECT_INSTRUCTION } from '../../wires/anthropic-messages.ts';
import type { LastTurn, SimulatedRequest, SimulatedToolChoice } from './simulated-request.ts';
import { describeIssues, type ParsedRequest } from './wire.ts';

const textBlock = z.object({ type: z.string(), text: z.string().nullish() }).loose();
const contentBlock = z
  .object({
    type: z.string(),
    text: z.string().nullish(),
    name: z.string().nullish(),
    input: z.unknown().optional(),
    content: z.union([z.string(), z.array(textBlock)]).nullish(),
  })
  .loose();
const message = z
  .object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(contentBlock)]) })
  .loose();
const messagesRequest = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    messages: z.array(message).min(1),
    system: z.union([z.string(), z.array(textBlock)]).nullish(),
    stream: z.boolean().nullish(),
    tools: z
      .array(z.object({ name: z.string().min(1), input_schema: z.record(z.string(), z.unknown()).nullish() }).loose())
      .nullish(),
    tool_choice: z.object({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().nullish() }).loose().nullish(),
    thinking: z.object({ type: z.string() }).loose().nullish(),
    // Structured output: the reply's text is JSON valid against the schema.
    output_config: z
      .object({ format: z.object({ type: z.literal('json_schema'), schema: z.unknown() }).loose().nullish() })
      .loose()
      .nullish(),
  })
  .loose();
type MessagesRequest = z.infer<typeof messagesRequest>;

export function parseAnthropicRequest(body: unknown): ParsedRequest {
  const parsed = messagesRequest.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const request = parsed.data;
  const tools = (request.tools ?? []).map((entry) => ({ name: entry.name, parameters: entry.input_schema }));
  const choice = readToolChoice(request);
  if (choice === undefined) return { ok: false, message: 'tool_choice.name: is required when tool_choice.type is "tool"' };
  if (choice.type === 'tool' && !tools.some((entry) => entry.name === choice.name)) {
    return { ok: false, message: `tool_choice.name: names the tool "${choice.name}", which is not in tools` };
  }
  const system = request.system ?? [];
  const systemTexts = typeof system === 'string' ? [system] : system.flatMap((block) => (typeof block.text === 'string' ? [block.text] : []));
  const simulated: SimulatedRequest = {
    model: request.model,
    stream: request.stream === true,
    maxTokens: request.max_tokens,
    texts: [
      ...systemTexts,
      ...request.messages.flatMap(messageTexts),
    ],
    tools,
    toolChoice: choice,
    lastTurn: lastTurn(request.messages.at(-1)),
    includeUsage: true,
    thinking: request.thinking?.type === 'enabled' || request.thinking?.type === 'adaptive',
  };
  const format = request.output_config?.format;
  if (format != null) simulated.responseFormat = { type: 'json-schema', schema: format.schema };
  else if (systemTexts.includes(JSON_OBJECT_INSTRUCTION)) simulated.responseFormat = { type: 'json-object' };
  return { ok: true, request: simulated };
}

function readToolChoice(request: MessagesRequest): SimulatedToolChoice | undefined {
  const choice = request.tool_choice;
  switch (choice?.type) {
    case undefined:
    case 'auto':
      return { type: 'auto' };
    case 'any':
      return { type: 'required' };
    case 'none':
      return { type: 'none' };
    case 'tool':
      return typeof choice.name === 'string' ? { type: 'tool', name: choice.name } : undefined;
  }
}

function messageTexts(entry: z.infer<typeof message>): string[] {
  if (typeof entry.content === 'string') return [entry.content];
  return entry.content.flatMap((block) => {
    if (block.type === 'text') return [block.text ?? ''];
    if (block.type === 'tool_use') return [block.name ?? '', JSON.stringify(block.input ?? {})];
    if (block.type === 'tool_result') {
      if (typeof block.content === 'string') return [block.content];
      return (block.content ?? []).flatMap((part) => (typeof part.text === 'string' ? [part.text] : []));
    }
    return [];
  });
}

/** Anthropic carries tool results in a user message. */
function lastTurn(entry: z.infer<typeof message> | undefined): LastTurn {
  if (entry?.role !== 'user') return 'other';
  if (typeof entry.content !== 'string' && entry.content.some((block) => block.type === 'tool_result')) return 'tool-result';
  return 'user';
}
