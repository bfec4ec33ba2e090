// Anthropic's usage → the canonical Usage. Anthropic's `input_tokens` counts
// only the input after the last cache breakpoint: cache reads and writes are
// reported beside it, and OpenRouter's prompt_tokens is their sum.
import type { Usage } from '../../streaming/events.ts';
import type { AnthropicUsage } from './wire-schemas.ts';

export function convertUsage(usage: AnthropicUsage): Usage {
  const input = usage.input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const converted: Usage = {
    promptTokens: input + cacheWrite + cacheRead,
    completionTokens: usage.output_tokens ?? 0,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    // Only newer replies break thinking out of output_tokens.
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
  // The writes with a 1-hour TTL (`cache_creation` splits cache_creation_input_tokens by TTL); the rest have the 5-minute one.
  const written1h = Math.min(usage.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheWrite);
  if (written1h > 0) converted.cacheWrite1hTokens = written1h;
  return converted;
}

/**
 * `message_delta.usage` is cumulative and, in newer replies, repeats every
 * count; older replies carry only `output_tokens`. A count the delta leaves
 * out keeps its `message_start` value.
 */
export function mergeUsage(base: AnthropicUsage | undefined, update: AnthropicUsage | null | undefined): AnthropicUsage | undefined {
  if (update == null) return base;
  if (base === undefined) return update;
  return {
    input_tokens: update.input_tokens ?? base.input_tokens,
    output_tokens: update.output_tokens ?? base.output_tokens,
    cache_creation_input_tokens: update.cache_creation_input_tokens ?? base.cache_creation_input_tokens,
    cache_read_input_tokens: update.cache_read_input_tokens ?? base.cache_read_input_tokens,
    cache_creation: update.cache_creation ?? base.cache_creation,
    output_tokens_details: update.output_tokens_details ?? base.output_tokens_details,
  };
}
