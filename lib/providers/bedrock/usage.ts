// Bedrock's token counts as the canonical Usage. Bedrock's `inputTokens`
// leaves out the tokens read from or written to the prompt cache (a cached
// reply reports inputTokens 2, cacheReadInputTokens 1322, totalTokens 1329
// for 5 output tokens), while our promptTokens is the whole input.
// https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
import type { Usage } from '../../streaming/events.ts';
import type { BedrockUsage } from './wire-schemas.ts';

export function convertUsage(usage: BedrockUsage): Usage {
  const cacheRead = usage.cacheReadInputTokens ?? usage.cacheReadInputTokenCount ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? usage.cacheWriteInputTokenCount ?? 0;
  return {
    promptTokens: (usage.inputTokens ?? 0) + cacheRead + cacheWrite,
    completionTokens: usage.outputTokens ?? 0,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    // Bedrock counts reasoning inside outputTokens without breaking it out.
    reasoningTokens: 0,
  };
}
