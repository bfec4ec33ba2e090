// `usage` as OpenRouter reports it: token counts, and cost in USD.
import { microsToUsd, type CostBreakdown } from '../../billing/cost.ts';
import type { Usage } from '../../streaming/events.ts';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  is_byok: false;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number; audio_tokens: number; video_tokens: number };
  cost_details: {
    upstream_inference_cost: number;
    upstream_inference_prompt_cost: number;
    upstream_inference_completions_cost: number;
  };
  completion_tokens_details: { reasoning_tokens: number; image_tokens: number };
}

export function wireUsage(usage: Usage, cost: CostBreakdown): WireUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    cost: microsToUsd(cost.totalMicros),
    is_byok: false,
    prompt_tokens_details: {
      cached_tokens: usage.cachedTokens,
      cache_write_tokens: usage.cacheWriteTokens,
      audio_tokens: 0,
      video_tokens: 0,
    },
    cost_details: {
      upstream_inference_cost: microsToUsd(cost.totalMicros),
      upstream_inference_prompt_cost: microsToUsd(cost.promptMicros),
      upstream_inference_completions_cost: microsToUsd(cost.completionMicros),
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, image_tokens: 0 },
  };
}
