// The body of POST /messages: Anthropic's Messages request
// (https://docs.anthropic.com/en/api/messages) with OpenRouter's `models`
// and `provider` additions. Strict on every field the gateway reads, so a
// wrong type or range is a 400 naming it; unknown top-level fields are
// tolerated, as OpenRouter does, since Anthropic SDKs and Claude Code add
// fields (`context_management`, `output_config`, …) ahead of any gateway.
import { z } from 'zod';
import { openRouterRouting, toolName } from '../../api/chat-request.ts';

const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

const textBlock = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl.nullish(),
  // Citations a previous reply carried: the canonical request has no place for them.
  citations: z.array(z.unknown()).nullish(),
});

/**
 * A string, or blocks: read as blocks (a string is one text block), so an
 * error inside a block names the block's own field rather than the union.
 */
const STRING_OR_BLOCKS = 'must be a string or an array of content blocks';

function textOr<T extends z.ZodType>(blocks: T) {
  return z.preprocess((value) => (typeof value === 'string' ? [{ type: 'text', text: value }] : value), blocks);
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.enum(IMAGE_TYPES), data: z.string().min(1, 'must not be empty') }),
    z.object({ type: z.literal('url'), url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) }),
  ]),
  cache_control: cacheControl.nullish(),
});

const documentBlock = z.object({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: z.string().min(1, 'must not be empty') }),
    z.object({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) }),
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl.nullish(),
});

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1, 'must not be empty'),
  content: textOr(z.array(z.discriminatedUnion('type', [textBlock, imageBlock]), { error: STRING_OR_BLOCKS })).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl.nullish(),
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1, 'must not be empty'),
  name: z.string().min(1, 'must not be empty'),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl.nullish(),
});

const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string().min(1, 'must not be empty') });

const userBlock = z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock, toolResultBlock]);
const assistantBlock = z.discriminatedUnion('type', [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);
export type UserBlock = z.infer<typeof userBlock>;
export type AssistantBlock = z.infer<typeof assistantBlock>;
export type TextBlock = z.infer<typeof textBlock>;
export type ImageBlock = z.infer<typeof imageBlock>;
export type DocumentBlock = z.infer<typeof documentBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;

const userMessage = z.object({ role: z.literal('user'), content: textOr(z.array(userBlock, { error: STRING_OR_BLOCKS })) });
const assistantMessage = z.object({ role: z.literal('assistant'), content: textOr(z.array(assistantBlock, { error: STRING_OR_BLOCKS })) });
const message = z.discriminatedUnion('role', [userMessage, assistantMessage]);
export type MessagesMessage = z.infer<typeof message>;

// Client tools only: Anthropic's server tools (web search, code execution,
// bash, …) run at Anthropic and have no counterpart on other providers.
const tool = z.object({
  type: z.literal('custom').optional(),
  name: toolName,
  description: z.string().optional(),
  input_schema: z.object({ type: z.literal('object') }).catchall(z.unknown()),
  cache_control: cacheControl.nullish(),
});

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: toolName, disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);
export type MessagesToolChoice = z.infer<typeof toolChoice>;

/** Anthropic's minimum thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(MIN_THINKING_BUDGET) }),
  z.object({ type: z.literal('disabled') }),
  // Claude 4.6 and later: the model decides how much to think.
  z.object({ type: z.literal('adaptive') }),
]);

const modelId = z.string().min(1, 'must not be empty').max(256);

export const messagesRequest = z
  .object({
    model: modelId.optional(),
    models: z.array(modelId).max(16).optional(),
    messages: z.array(message).min(1, 'must contain at least one message'),
    // Required, as Anthropic requires it.
    max_tokens: z.number({ error: 'is required and must be a whole number of at least 1' }).int().min(1),
    system: textOr(z.array(textBlock, { error: STRING_OR_BLOCKS })).optional(),
    stop_sequences: z.array(z.string().min(1, 'must not be empty')).optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    thinking: thinking.optional(),
    metadata: z.object({ user_id: z.string().max(256).nullish() }).optional(),
    cache_control: cacheControl.optional(),
    ...openRouterRouting,
  })
  .loose()
  .superRefine((request, ctx) => {
    if (request.model === undefined && (request.models === undefined || request.models.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required (or give `models`)' });
    }
    if (request.thinking?.type === 'enabled' && request.thinking.budget_tokens >= request.max_tokens) {
      ctx.addIssue({ code: 'custom', path: ['thinking', 'budget_tokens'], message: 'must be less than `max_tokens`' });
    }
    if (request.tool_choice?.type === 'tool' && !(request.tools ?? []).some((entry) => entry.name === (request.tool_choice as { name: string }).name)) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice', 'name'], message: 'must name one of `tools`' });
    }
    const names = new Set<string>();
    (request.tools ?? []).forEach((entry, index) => {
      if (names.has(entry.name)) ctx.addIssue({ code: 'custom', path: ['tools', index, 'name'], message: 'repeats an earlier tool name' });
      names.add(entry.name);
    });
  });

export type MessagesRequest = z.infer<typeof messagesRequest>;
