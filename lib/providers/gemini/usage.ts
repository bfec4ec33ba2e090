// Gemini's usageMetadata → Usage. Gemini counts thinking apart from the
// answer (`thoughtsTokenCount` is not in `candidatesTokenCount`), and tool-use
// prompt tokens apart from the prompt; Usage wants both folded in. Audio and
// image input, and cached audio, come from the per-modality details.
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
  const usage: Usage = {
    promptTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    completionTokens: (metadata.candidatesTokenCount ?? 0) + thoughts,
    cachedTokens: metadata.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
  // Audio and image input are priced apart; Gemini splits the prompt and the cache by modality.
  const audio = modalityCount(metadata.promptTokensDetails, 'AUDIO');
  const image = modalityCount(metadata.promptTokensDetails, 'IMAGE');
  const cachedAudio = Math.min(modalityCount(metadata.cacheTokensDetails, 'AUDIO'), audio, usage.cachedTokens);
  if (audio > 0) usage.audioPromptTokens = audio;
  if (cachedAudio > 0) usage.cachedAudioTokens = cachedAudio;
  if (image > 0) usage.imagePromptTokens = image;
  return usage;
}

function modalityCount(details: GeminiUsageMetadata['promptTokensDetails'], modality: string): number {
  let count = 0;
  for (const detail of details ?? []) if (detail.modality === modality) count += detail.tokenCount ?? 0;
  return count;
}
