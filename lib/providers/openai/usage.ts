// OpenAI usage → canonical usage. OpenAI's prompt_tokens already counts cached
// tokens and completion_tokens already counts reasoning, which is exactly the
// canonical convention; the details are subsets. Chat Completions has no
// cache-write count (OpenAI's caching is automatic and writes are not billed).
import type { Usage } from '../../streaming/events.ts';
import type { UpstreamUsage } from './wire-schemas.ts';

export function convertUsage(usage: UpstreamUsage): Usage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
