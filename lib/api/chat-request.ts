// The chat-completions request: OpenAI's wire format plus OpenRouter's
// additions (openrouter-api.md §2). Strict on what we read, tolerant of
// unknown top-level fields (OpenRouter passes provider-specific extras on).
// Parsing it yields the canonical request (below): the wire with its aliases
// resolved once.
import { z } from 'zod';

const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

const textPart = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl.optional() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high', 'original']).optional() }),
});
const audioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string(), format: z.string() }),
});
const videoPart = z.object({ type: z.enum(['video_url', 'input_video']), video_url: z.object({ url: z.string() }) });
const filePart = z.object({
  type: z.literal('file'),
  file: z.object({ filename: z.string().optional(), file_data: z.string().optional(), file_id: z.string().optional() }),
});
export const contentPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, videoPart, filePart]);
export type ContentPart = z.infer<typeof contentPart>;

const userContent = z.union([z.string(), z.array(contentPart)]);
const textContent = z.union([z.string(), z.array(textPart)]);

export const reasoningDetail = z
  .object({
    type: z.enum(['reasoning.text', 'reasoning.summary', 'reasoning.encrypted']),
    text: z.string().nullish(),
    summary: z.string().nullish(),
    data: z.string().nullish(),
    signature: z.string().nullish(),
    id: z.string().nullish(),
    format: z.string().nullish(),
    index: z.number().int().nullish(),
  })
  .loose();
export type ReasoningDetailInput = z.infer<typeof reasoningDetail>;

export const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof toolCall>;

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() });
const userMessage = z.object({ role: z.literal('user'), content: userContent, name: z.string().optional() });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(contentPart)]).nullish(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  refusal: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  reasoning_details: z.array(reasoningDetail).optional(),
});
const toolMessage = z.object({
  role: z.literal('tool'),
  content: z.union([z.string(), z.array(contentPart)]),
  tool_call_id: z.string(),
  name: z.string().optional(),
});
export const message = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);
export type Message = z.infer<typeof message>;

/** A function tool's name, as OpenAI accepts it (every API door checks names the same way). */
export const toolName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, underscores or dashes');

export const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: toolName,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
  cache_control: cacheControl.optional(),
});
export type FunctionTool = z.infer<typeof functionTool>;

export const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);
export type ToolChoice = z.infer<typeof toolChoice>;

export const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z
        .string()
        .max(64)
        .regex(/^[a-zA-Z0-9_-]+$/, 'must be letters, digits, underscores or dashes'),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
      description: z.string().optional(),
    }),
  }),
  z.object({ type: z.literal('grammar'), grammar: z.string() }),
  z.object({ type: z.literal('python') }),
]);
export type ResponseFormat = z.infer<typeof responseFormat>;

const percentiles = z.object({
  p50: z.number().nonnegative().optional(),
  p75: z.number().nonnegative().optional(),
  p90: z.number().nonnegative().optional(),
  p99: z.number().nonnegative().optional(),
});
const priceLimit = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal number')]);

export const sortBy = z.enum(['price', 'throughput', 'latency', 'exacto']);
export const providerPreferences = z.object({
  order: z.array(z.string()).optional(),
  allow_fallbacks: z.boolean().optional(),
  require_parameters: z.boolean().optional(),
  data_collection: z.enum(['allow', 'deny']).optional(),
  zdr: z.boolean().optional(),
  enforce_distillable_text: z.boolean().optional(),
  only: z.array(z.string()).optional(),
  ignore: z.array(z.string()).optional(),
  quantizations: z
    .array(z.enum(['int4', 'int8', 'fp4', 'mxfp4', 'nvfp4', 'fp6', 'fp8', 'mxfp8', 'fp16', 'bf16', 'fp32', 'unknown']))
    .optional(),
  sort: z.union([sortBy, z.object({ by: sortBy, partition: z.enum(['model', 'none']).optional() })]).optional(),
  max_price: z
    .object({
      prompt: priceLimit.optional(),
      completion: priceLimit.optional(),
      request: priceLimit.optional(),
      image: priceLimit.optional(),
      audio: priceLimit.optional(),
    })
    .optional(),
  preferred_min_throughput: z.union([z.number().nonnegative(), percentiles]).optional(),
  preferred_max_latency: z.union([z.number().nonnegative(), percentiles]).optional(),
});
export type ProviderPreferences = z.infer<typeof providerPreferences>;

export const reasoningEffort = z.enum(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none']);
export const reasoningConfig = z.object({
  effort: reasoningEffort.optional(),
  max_tokens: z.number().int().positive().optional(),
  exclude: z.boolean().optional(),
  enabled: z.boolean().optional(),
  summary: z.enum(['auto', 'concise', 'detailed']).optional(),
});
export type ReasoningConfig = z.infer<typeof reasoningConfig>;

const modelId = z.string().min(1, 'must not be empty').max(256);

/** OpenRouter's routing fields, the same on every API door (openrouter-api.md §2.4–3.4). */
export const openRouterRouting = {
  provider: providerPreferences.optional(),
  session_id: z.string().max(256).optional(),
  route: z.enum(['fallback', 'sort']).nullish(),
  transforms: z.array(z.string()).optional(),
  plugins: z.array(z.object({ id: z.string(), enabled: z.boolean().optional() }).loose()).optional(),
};

/** The chat wire's own fields (without the unknown extras a caller may add). */
export const chatRequestFields = z.object({
  model: modelId.optional(),
  models: z.array(modelId).max(16).optional(),
  messages: z.array(message).min(1, 'must contain at least one message'),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).optional(),
  max_completion_tokens: z.number().int().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  repetition_penalty: z.number().min(0).max(2).optional(),
  min_p: z.number().min(0).max(1).optional(),
  top_a: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  response_format: responseFormat.optional(),
  tools: z.array(functionTool).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  prediction: z
    .object({ type: z.literal('content'), content: z.union([z.string(), z.array(textPart)]) })
    .optional(),
  modalities: z.array(z.enum(['text', 'image', 'audio'])).optional(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((record) => Object.keys(record).length <= 16, 'must have at most 16 pairs')
    .optional(),
  user: z.string().max(256).optional(),
  service_tier: z.enum(['auto', 'default', 'fast', 'flex', 'priority', 'scale']).optional(),
  prompt_cache_key: z.string().optional(),
  cache_control: cacheControl.optional(),
  verbosity: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).optional(),
  reasoning: reasoningConfig.optional(),
  reasoning_effort: reasoningEffort.optional(),
  include_reasoning: z.boolean().optional(),
  usage: z.object({ include: z.boolean().optional() }).optional(),
  ...openRouterRouting,
});

/** A chat request as the wire has it: aliases unresolved. Doors that speak another wire build one of these. */
export type ChatWireRequest = z.infer<typeof chatRequestFields>;

const CHAT_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatRequestFields.shape));

export const chatWireRequest = chatRequestFields
  // Unknown top-level fields are tolerated, as OpenRouter does.
  .loose()
  .superRefine((request, ctx) => {
    if (request.model === undefined && (request.models === undefined || request.models.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required (or give `models`)' });
    }
    if (request.top_logprobs !== undefined && request.logprobs !== true) {
      ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'requires `logprobs: true`' });
    }
    if (
      request.reasoning_effort !== undefined &&
      request.reasoning?.effort !== undefined &&
      request.reasoning.effort !== request.reasoning_effort
    ) {
      ctx.addIssue({ code: 'custom', path: ['reasoning_effort'], message: 'conflicts with `reasoning.effort`' });
    }
    if (request.reasoning?.effort !== undefined && request.reasoning.max_tokens !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reasoning'], message: 'takes `effort` or `max_tokens`, not both' });
    }
    // A choice of a function the request does not declare would reach the provider and fail there (or be ignored), billed.
    const chosen = typeof request.tool_choice === 'object' ? request.tool_choice.function.name : undefined;
    if (chosen !== undefined && !(request.tools ?? []).some((tool) => tool.function.name === chosen)) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice', 'function', 'name'], message: `names ${JSON.stringify(chosen.slice(0, 64))}, which is not one of \`tools\`` });
    }
    request.messages.forEach((entry, index) => {
      if (entry.role === 'assistant' && entry.tool_calls === undefined && entry.content == null) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', index, 'content'],
          message: 'is required unless the assistant message has `tool_calls`',
        });
      }
    });
  });

/** The chat wire → the canonical request: what the chat door decodes, and what a test builds a request with. */
export const chatRequest = chatWireRequest.transform((wire) => canonicalRequest(wire));

// ─── The canonical request ──────────────────────────────────────────────
// What every step after decoding reads (DESIGN "One request, end to end"):
// the chat wire's request with each alias resolved once, here, so that the
// hold, the adapters and the records cannot read one request differently:
//
//   max_tokens / max_completion_tokens                  → maxOutputTokens
//   reasoning / reasoning_effort / include_reasoning    → reasoning
//
// It is strict: no index signature, so a misspelt field does not type-check.
// The unknown top-level fields a caller sent (OpenRouter passes them on to
// OpenAI-compatible hosts) are kept apart, in `extras`.

export type ReasoningEffort = NonNullable<ReasoningConfig['effort']>;

/** The caller's reasoning settings, folded from its three spellings (openrouter-api.md §2.7). */
export interface ReasoningSettings {
  /**
   * `default`: the caller said nothing (each model reasons as it does by
   * default). `off`: `enabled: false` or effort `none`. `on`: a `reasoning`
   * object, an effort, or `include_reasoning: true` (the legacy `reasoning: {}`).
   */
  readonly mode: 'default' | 'off' | 'on';
  /** The effort asked for; `enabled: true` alone is medium. Undefined: no effort given (a model's own, or a budget). */
  readonly effort: ReasoningEffort | undefined;
  /** `reasoning.max_tokens`: a thinking budget in tokens. */
  readonly budgetTokens: number | undefined;
  /** Reasoning text stays out of the reply (`reasoning.exclude`, `include_reasoning: false`); the model may still reason. */
  readonly exclude: boolean;
  readonly summary: ReasoningConfig['summary'];
}

/** Wire fields that the canonical request replaces with a resolved value, or that no later step reads. */
type ResolvedOnDecode =
  | 'max_tokens'
  | 'max_completion_tokens'
  | 'reasoning'
  | 'reasoning_effort'
  | 'include_reasoning'
  // The door decides `stream` (DecodedRequest.stream); usage is always reported.
  | 'stream'
  | 'stream_options'
  | 'usage';

export interface ChatRequest extends Omit<ChatWireRequest, ResolvedOnDecode> {
  /** The caller's output cap, whichever field they used (`max_completion_tokens` wins); undefined: none given. */
  readonly maxOutputTokens: number | undefined;
  readonly reasoning: ReasoningSettings;
  /** Top-level fields the chat wire does not define, as sent (an OpenAI-compatible host may take them). */
  readonly extras: Readonly<Record<string, unknown>>;
}

/**
 * The wire request → the canonical request. Anything the caller sent that
 * the wire does not define is an extra. Conflicts between
 * aliases (`reasoning_effort` against `reasoning.effort`) are refused by the
 * wire schema before this runs.
 */
export function canonicalRequest(wire: ChatWireRequest): ChatRequest {
  const {
    max_tokens: maxTokens,
    max_completion_tokens: maxCompletionTokens,
    reasoning,
    reasoning_effort: reasoningEffort,
    include_reasoning: includeReasoning,
    stream: _stream,
    stream_options: _streamOptions,
    usage: _usage,
    ...fields
  } = wire;
  const extras: Record<string, unknown> = {};
  const canonical: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (CHAT_FIELDS.has(key)) canonical[key] = value;
    else extras[key] = value;
  }
  return {
    ...(canonical as Omit<ChatWireRequest, ResolvedOnDecode>),
    maxOutputTokens: maxCompletionTokens ?? maxTokens,
    reasoning: reasoningSettings(reasoning, reasoningEffort, includeReasoning),
    extras,
  };
}

export function reasoningSettings(
  reasoning: ReasoningConfig | undefined,
  shorthandEffort: ReasoningEffort | undefined,
  include: boolean | undefined,
): ReasoningSettings {
  const given = reasoning?.effort ?? shorthandEffort;
  const exclude = reasoning?.exclude ?? include === false;
  const summary = reasoning?.summary;
  const budgetTokens = reasoning?.max_tokens;
  if (given === 'none' || reasoning?.enabled === false) return { mode: 'off', effort: given, budgetTokens: undefined, exclude, summary };
  if (reasoning === undefined && given === undefined && include !== true) return { mode: 'default', effort: undefined, budgetTokens: undefined, exclude, summary };
  // `enabled: true` alone means medium effort (§2.7); `{}` leaves the effort to the model.
  const effort = given ?? (reasoning?.enabled === true && budgetTokens === undefined ? 'medium' : undefined);
  return { mode: 'on', effort, budgetTokens, exclude, summary };
}

/** No reasoning setting at all: what a request built inside the gateway (a probe, embeddings) carries. */
export const DEFAULT_REASONING: ReasoningSettings = { mode: 'default', effort: undefined, budgetTokens: undefined, exclude: false, summary: undefined };
