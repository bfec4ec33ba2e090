// OpenAI usage → canonical usage. OpenAI's prompt_tokens already counts cached
// tokens and completion_tokens already counts reasoning, which is exactly the
// canonical convention; the details are subsets. Hosts that count elsewhere:
// DeepSeek reports cache reads as prompt_cache_hit_tokens; OpenRouter reports
// cache writes (prompt_tokens_details.cache_write_tokens); xAI leaves the
// reasoning tokens out of completion_tokens (the provider entry's
// `usageCounting.reasoningOutsideCompletion` says so) and counts image input
// apart. OpenAI's own caching is automatic and its writes are not billed.
import type { ProviderEntry } from '../../catalog/schema.ts';
import type { Usage } from '../../streaming/events.ts';
import type { ConversionContext } from '../upstream-stream.ts';
import type { UpstreamUsage } from './wire-schemas.ts';

export type UsageCounting = NonNullable<ProviderEntry['usageCounting']>;

/** What the OpenAI wire's conversions know besides their state: the provider, and how it counts usage. */
export interface OpenaiConversionContext extends ConversionContext {
  usageCounting?: UsageCounting;
}

export function convertUsage(usage: UpstreamUsage, counting: UsageCounting = {}): Usage {
  const prompt = usage.prompt_tokens_details;
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  const converted: Usage = {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: counting.reasoningOutsideCompletion === true ? completion + reasoningTokens : completion,
    cachedTokens: prompt?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: prompt?.cache_write_tokens ?? 0,
    reasoningTokens,
  };
  if (positive(prompt?.audio_tokens)) converted.audioPromptTokens = prompt.audio_tokens;
  if (positive(prompt?.image_tokens)) converted.imagePromptTokens = prompt.image_tokens;
  return converted;
}

const positive = (value: number | null | undefined): value is number => value != null && value > 0;
