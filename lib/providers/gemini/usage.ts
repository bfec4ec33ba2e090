// Gemini's usageMetadata → Usage. Gemini counts thinking apart from the
// answer (`thoughtsTokenCount` is not in `candidatesTokenCount`), and tool-use
// prompt tokens apart from the prompt; Usage wants both folded in.
import type { Usage } from '../../streaming/events.ts';
import type { GeminiUsageMetadata } from './wire-schemas.ts';

/** Usage from usageMetadata, or undefined when it holds no token counts (Vertex sends `{trafficType}` alone). */
export function convertUsage(metadata: GeminiUsageMetadata | null | undefined): Usage | undefined {
  if (metadata == null) return undefined;
  const counts = [
    metadata.promptTokenCount,
    metadata.candidatesTokenCount,
    metadata.thoughtsTokenCount,
    metadata.cachedContentTokenCount,
    metadata.toolUsePromptTokenCount,
  ];
  if (counts.every((count) => count == null)) return undefined;
  const thoughts = metadata.thoughtsTokenCount ?? 0;
  return {
    promptTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    completionTokens: (metadata.candidatesTokenCount ?? 0) + thoughts,
    cachedTokens: metadata.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}
