// What OpenAI-compatible hosts send back, validated leniently: every field is
// optional and unknown fields never fail a reply, because hosts differ (Groq's
// `x_groq`, Azure's `content_filter_results`, OpenAI's `obfuscation`, vLLM's
// `reasoning_content`). Stream chunks drop the fields nothing reads (copying
// them cost a tenth of a 1000-chunk stream's CPU); whole replies keep them.
import { z } from 'zod';
import { messageContent } from './content-parts.ts';

export const upstreamUsage = z
  .object({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    prompt_tokens_details: z
      .object({
        cached_tokens: z.number().nullish(),
        // OpenRouter: prompt tokens written to the provider's cache.
        cache_write_tokens: z.number().nullish(),
        audio_tokens: z.number().nullish(),
        // xAI counts image input apart.
        image_tokens: z.number().nullish(),
      })
      .nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
    // DeepSeek reports cache reads here instead of prompt_tokens_details.
    prompt_cache_hit_tokens: z.number().nullish(),
  });
export type UpstreamUsage = z.infer<typeof upstreamUsage>;

const toolCallFunction = z.object({ name: z.string().nullish(), arguments: z.string().nullish() });

const toolCallDelta = z
  .object({
    index: z.number().int().nullish(),
    id: z.string().nullish(),
    type: z.string().nullish(),
    function: toolCallFunction.nullish(),
  });
export type UpstreamToolCallDelta = z.infer<typeof toolCallDelta>;

/** `{error:{message,type,code,param}}`, and the flat variants some hosts use. */
export const upstreamErrorObject = z
  .object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    param: z.string().nullish(),
  });
export type UpstreamErrorObject = z.infer<typeof upstreamErrorObject>;

export const upstreamChunk = z
  .object({
    id: z.string().nullish(),
    model: z.string().nullish(),
    system_fingerprint: z.string().nullish(),
    choices: z
      .array(
        z
          .object({
            index: z.number().int().nullish(),
            delta: z
              .object({
                role: z.string().nullish(),
                // A string; Mistral's reasoning models send thinking and text parts.
                content: messageContent.nullish(),
                refusal: z.string().nullish(),
                reasoning: z.string().nullish(),
                reasoning_content: z.string().nullish(),
                tool_calls: z.array(toolCallDelta).nullish(),
              })
              .nullish(),
            finish_reason: z.string().nullish(),
          }),
      )
      .nullish(),
    usage: upstreamUsage.nullish(),
    // Groq puts the usage of a stream on the last chunk under `x_groq`.
    x_groq: z.object({ usage: upstreamUsage.nullish() }).nullish(),
    error: z.union([upstreamErrorObject, z.string()]).nullish(),
  });
export type UpstreamChunk = z.infer<typeof upstreamChunk>;

export const upstreamResponse = z
  .object({
    id: z.string().nullish(),
    model: z.string().nullish(),
    system_fingerprint: z.string().nullish(),
    choices: z
      .array(
        z
          .object({
            index: z.number().int().nullish(),
            message: z
              .object({
                role: z.string().nullish(),
                // Some hosts answer with content parts instead of a string (Mistral's include thinking).
                content: messageContent.nullish(),
                refusal: z.string().nullish(),
                reasoning: z.string().nullish(),
                reasoning_content: z.string().nullish(),
                tool_calls: z
                  .array(z.object({ id: z.string().nullish(), type: z.string().nullish(), function: toolCallFunction.nullish() }).loose())
                  .nullish(),
              })
              .loose()
              .nullish(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .nullish(),
    usage: upstreamUsage.nullish(),
    error: z.union([upstreamErrorObject, z.string()]).nullish(),
  })
  .loose();
export type UpstreamCompletion = z.infer<typeof upstreamResponse>;

/**
 * An error reply: OpenAI and Groq nest `{error:{…}}`; vLLM and Mistral send the
 * fields flat (`{"object":"error","message",…}`); Ollama sends `{"error":"…"}`.
 */
export const upstreamErrorBody = z
  .object({
    error: z.union([upstreamErrorObject, z.string()]).nullish(),
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    param: z.string().nullish(),
  })
  .loose();

/** JSON text → value; `ok: false` when it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
