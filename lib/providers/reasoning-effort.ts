// OpenRouter's reasoning effort as the share of the output cap a provider
// that takes a thinking budget in tokens may spend on thinking (Anthropic,
// Bedrock's Claude, Gemini): one table for every such wire.
// https://openrouter.ai/docs/use-cases/reasoning-tokens
import type { ReasoningConfig } from '../api/chat-request.ts';

export type ReasoningEffort = Exclude<NonNullable<ReasoningConfig['effort']>, 'none'>;

export const effortRatios: Readonly<Record<ReasoningEffort, number>> = {
  max: 0.95,
  xhigh: 0.95,
  high: 0.8,
  medium: 0.5,
  low: 0.2,
  minimal: 0.1,
};
