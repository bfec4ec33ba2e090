// The Responses API request (POST /responses) as OpenRouter serves it:
// OpenAI's fields plus OpenRouter's routing ones (`models`, `provider`,
// `session_id`, …). Strict about every field it reads, so a wrong type or
// range is a 400 naming the field; tolerant of unknown top-level fields, as
// the chat door is. The gateway is stateless (as OpenRouter's Responses API
// is): what would need a stored response or prompt is refused by name.
// https://developers.openai.com/api/reference/resources/responses/methods/create
import { z } from 'zod';
import { openRouterRouting, reasoningConfig, toolName } from '../../api/chat-request.ts';

const imageDetail = z.enum(['auto', 'low', 'high', 'original']);

/**
 * A string, or a list read with `list`. Not a plain union: a failed union
 * names only its own field, and a caller needs to hear which element, and
 * which of its fields, is wrong (`input[2].content[0].type`).
 */
function stringOrList<T>(list: z.ZodType<T>): z.ZodType<string | T> {
  return z.unknown().transform((value, ctx): string | T => {
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: value === undefined ? 'is required' : 'must be a string or a list' });
      return z.NEVER;
    }
    const parsed = list.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: imageDetail.optional(),
});
const inputFile = z.object({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_url: z.string().nullish(),
  file_id: z.string().nullish(),
  filename: z.string().nullish(),
});
/** Assistant turns echoed back from an earlier response carry its output parts. */
const outputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()).optional() });
const outputRefusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const inputContentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, outputRefusal]);
export type InputContentPart = z.infer<typeof inputContentPart>;

const itemStatus = z.enum(['in_progress', 'completed', 'incomplete']).nullish();

export const messageItem = z.object({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: stringOrList(z.array(inputContentPart)),
  id: z.string().nullish(),
  status: itemStatus,
  phase: z.enum(['commentary', 'final_answer']).nullish(),
});
export type MessageItem = z.infer<typeof messageItem>;

export const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  status: itemStatus,
});
export type FunctionCallItem = z.infer<typeof functionCallItem>;

export const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: stringOrList(z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile]))),
  id: z.string().nullish(),
  status: itemStatus,
});
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;

/** A reasoning item from an earlier response; `signature` and `format` are OpenRouter's additions. */
export const reasoningItem = z.object({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })),
  content: z.array(z.object({ type: z.literal('reasoning_text'), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
  signature: z.string().nullish(),
  format: z.string().nullish(),
  status: itemStatus,
});
export type ReasoningItem = z.infer<typeof reasoningItem>;

/** Refers to an item the server stored: a stateless gateway has none. */
const itemReference = z.object({ type: z.literal('item_reference'), id: z.string() });

/**
 * An input item, told apart by `type`. A message may omit it (OpenAI's "easy
 * input message"): it is read as `message`, so every error still names the
 * field that is wrong rather than the union as a whole.
 */
export const inputItem = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !('type' in value) ? { ...value, type: 'message' } : value),
  z.discriminatedUnion('type', [messageItem, functionCallItem, functionCallOutputItem, reasoningItem, itemReference]),
);
export type InputItem = z.infer<typeof inputItem>;

export const functionTool = z.object({
  type: z.literal('function'),
  name: toolName,
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type ResponsesFunctionTool = z.infer<typeof functionTool>;

export const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
]);

export const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z
      .string()
      .max(64)
      .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, underscores or dashes'),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);
export type TextFormat = z.infer<typeof textFormat>;

const modelId = z.string().min(1, 'must not be empty').max(256);

/** Fields that only mean something to a server that stores responses, prompts or conversations. */
const statefulFields = ['previous_response_id', 'conversation', 'prompt'] as const;

export const responsesRequest = z
  .object({
    model: modelId.optional(),
    models: z.array(modelId).max(16).optional(),
    input: stringOrList(z.array(inputItem).min(1, 'must contain at least one item')),
    instructions: z.string().nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    background: z.boolean().nullish(),
    previous_response_id: z.string().nullish(),
    conversation: z.unknown().optional(),
    prompt: z.unknown().optional(),
    tools: z.array(functionTool).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(0).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    seed: z.number().int().optional(),
    reasoning: reasoningConfig.nullish(),
    text: z
      .object({ format: textFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullish() })
      .nullish(),
    metadata: z
      .record(z.string().max(64), z.string().max(512))
      .refine((record) => Object.keys(record).length <= 16, 'must have at most 16 pairs')
      .nullish(),
    user: z.string().max(256).optional(),
    safety_identifier: z.string().max(256).optional(),
    prompt_cache_key: z.string().optional(),
    service_tier: z.enum(['auto', 'default', 'flex', 'priority', 'scale']).nullish(),
    truncation: z.enum(['auto', 'disabled']).nullish(),
    include: z.array(z.string()).nullish(),
    ...openRouterRouting,
  })
  // Unknown top-level fields are tolerated, as OpenRouter does (and never forwarded upstream).
  .loose()
  .superRefine((request, ctx) => {
    if (request.model === undefined && (request.models === undefined || request.models.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required (or give `models`)' });
    }
    for (const field of statefulFields) {
      if (request[field] != null) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'is not supported: this gateway is stateless, send the whole conversation in `input`' });
      }
    }
    if (request.store === true) {
      ctx.addIssue({ code: 'custom', path: ['store'], message: 'must be false or absent: this gateway does not store responses' });
    }
    if (request.background === true) {
      ctx.addIssue({ code: 'custom', path: ['background'], message: 'is not supported: background responses need stored responses' });
    }
    if (request.reasoning?.effort !== undefined && request.reasoning.max_tokens !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reasoning'], message: 'takes `effort` or `max_tokens`, not both' });
    }
    const choice = request.tool_choice;
    if (typeof choice === 'object' && !(request.tools ?? []).some((tool) => tool.name === choice.name)) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice', 'name'], message: 'must name one of `tools`' });
    }
    if (Array.isArray(request.input)) checkItems(request.input, ctx);
  });

export type ResponsesRequest = z.infer<typeof responsesRequest>;

function checkItems(items: readonly InputItem[], ctx: z.RefinementCtx): void {
  items.forEach((item, index) => {
    if (item.type === 'item_reference') {
      ctx.addIssue({
        code: 'custom',
        path: ['input', index, 'type'],
        message: '`item_reference` is not supported: this gateway is stateless, send the item itself (with the AI SDK: `store: false`)',
      });
      return;
    }
    if (item.type === 'function_call_output') {
      if (Array.isArray(item.output)) item.output.forEach((part, partIndex) => checkFileReference(part, ['input', index, 'output', partIndex], ctx));
      return;
    }
    if (item.type !== 'message' || !Array.isArray(item.content)) return;
    item.content.forEach((part, partIndex) => {
      const path = ['input', index, 'content', partIndex];
      const assistantPart = part.type === 'output_text' || part.type === 'refusal';
      if (item.role === 'assistant' && !assistantPart && part.type !== 'input_text') {
        ctx.addIssue({ code: 'custom', path: [...path, 'type'], message: 'must be `output_text`, `refusal` or `input_text` in an assistant message' });
      }
      if (item.role !== 'assistant' && assistantPart) {
        ctx.addIssue({ code: 'custom', path: [...path, 'type'], message: 'is only allowed in an assistant message' });
      }
      if ((item.role === 'system' || item.role === 'developer') && part.type !== 'input_text') {
        ctx.addIssue({ code: 'custom', path: [...path, 'type'], message: `must be \`input_text\` in a ${item.role} message` });
      }
      checkFileReference(part, path, ctx);
    });
  });
}

/** Images and files are passed inline or by URL: there is no file store to look a `file_id` up in. */
export function checkFileReference(part: InputContentPart, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (part.type === 'input_image' && (part.image_url == null || part.image_url === '')) {
    ctx.addIssue({ code: 'custom', path: [...path, 'image_url'], message: 'is required (uploaded `file_id`s are not supported)' });
  }
  if (part.type === 'input_file' && part.file_data == null && part.file_url == null) {
    ctx.addIssue({ code: 'custom', path: [...path, 'file_data'], message: 'or `file_url` is required (uploaded `file_id`s are not supported)' });
  }
}
