// POST /completions: OpenAI's legacy text-completions request, with the
// OpenRouter extras a chat request takes (openrouter-api.md §1.7). The prompt
// becomes the one user message of a canonical chat request, so routing,
// credits, attempts and records are exactly chat's.
import { z } from 'zod';
import { chatRequest, openRouterRouting, reasoningConfig, type ChatRequest } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
import { parseOrThrow } from '../../api/validate.ts';

const modelId = z.string().min(1, 'must not be empty').max(256);

/** One prompt: a string, or an array holding one string (what SDKs send for a batch of one). */
const prompt = z.union([z.string(), z.array(z.unknown())]);

export const completionsRequest = z
  .object({
    model: modelId.optional(),
    models: z.array(modelId).max(16).optional(),
    prompt,
    // `suffix` (insertion) is for gpt-3.5-turbo-instruct only and has no chat equivalent: null and '' mean none.
    suffix: z.string().nullish(),
    max_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(0).optional(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    repetition_penalty: z.number().min(0).max(2).optional(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
    n: z.number().int().min(1).nullish(),
    best_of: z.number().int().min(1).nullish(),
    echo: z.boolean().nullish(),
    logprobs: z.number().int().min(0).max(5).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    user: z.string().max(256).optional(),
    reasoning: reasoningConfig.optional(),
    ...openRouterRouting,
  })
  // Unknown top-level fields are tolerated, as on chat.
  .loose()
  .superRefine((request, ctx) => {
    if (request.model === undefined && (request.models === undefined || request.models.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required (or give `models`)' });
    }
  });

export type CompletionsRequest = z.infer<typeof completionsRequest>;

/**
 * The body → the canonical chat request. What has no chat equivalent is a
 * 400 naming the field, never silently dropped: more than one prompt or
 * choice, token prompts, `suffix`, `echo`, `best_of`, `logprobs`.
 */
export function toChatRequest(request: CompletionsRequest): ChatRequest {
  const text = promptText(request.prompt);
  unsupported(request.suffix != null && request.suffix !== '', 'suffix', 'is not supported: the gateway serves completions through chat models, which have no insertion');
  unsupported(request.n != null && request.n !== 1, 'n', 'must be 1: one choice per request');
  unsupported(request.best_of != null && request.best_of !== 1, 'best_of', 'must be 1: one choice per request');
  unsupported(request.echo === true, 'echo', 'is not supported');
  unsupported(request.logprobs != null, 'logprobs', 'is not supported on /completions');
  const canonical = {
    model: request.model,
    models: request.models,
    messages: [{ role: 'user', content: text }],
    max_tokens: request.max_tokens ?? undefined,
    temperature: request.temperature ?? undefined,
    top_p: request.top_p ?? undefined,
    top_k: request.top_k,
    frequency_penalty: request.frequency_penalty ?? undefined,
    presence_penalty: request.presence_penalty ?? undefined,
    repetition_penalty: request.repetition_penalty,
    seed: request.seed ?? undefined,
    stop: request.stop ?? undefined,
    logit_bias: request.logit_bias ?? undefined,
    user: request.user,
    provider: request.provider,
    reasoning: request.reasoning,
    session_id: request.session_id,
    route: request.route,
  };
  // Checked by the chat schema too: the canonical request is always one chat would accept.
  return parseOrThrow(chatRequest, withoutUndefined(canonical));
}

function promptText(value: string | unknown[]): string {
  if (typeof value === 'string') return value;
  if (value.length === 1 && typeof value[0] === 'string') return value[0];
  if (value.length > 0 && value.every((entry) => typeof entry === 'number' || Array.isArray(entry))) {
    throw invalidRequest('Request is invalid: `prompt` as token ids is not supported: send the prompt as text', { field: 'prompt' });
  }
  throw invalidRequest('Request is invalid: `prompt` must be a string or an array of one string (one prompt per request)', { field: 'prompt' });
}

function unsupported(condition: boolean, field: string, message: string): void {
  if (condition) throw invalidRequest(`Request is invalid: \`${field}\` ${message}`, { field });
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
