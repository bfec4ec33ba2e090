// OpenRouter's `reasoning` (and its shorthands `reasoning_effort`,
// `include_reasoning`) → Gemini's thinkingConfig. Gemini takes a token budget,
// so an effort becomes a share of the output cap, with OpenRouter's ratios
// (openrouter-api.md §2.7).
import type { ChatRequest, ReasoningSettings } from '../../api/chat-request.ts';
import { effortRatios } from '../reasoning-effort.ts';
import type { GeminiThinkingConfig } from './request-types.ts';


/**
 * Bounds for a budget we derive from an effort: every Gemini 2.5 model
 * accepts this range (Flash-Lite's minimum is 512; Flash's maximum 24576).
 * A caller's explicit `reasoning.max_tokens` is passed on as given.
 */
export const derivedBudgetLimits = { min: 512, max: 24_576 } as const;

export function thinkingConfig(request: ChatRequest, maxTokens: number): GeminiThinkingConfig | undefined {
  const reasoning = request.reasoning;
  if (reasoning.mode === 'default') return undefined;
  if (reasoning.mode === 'off') return { thinkingBudget: 0 };
  const config: GeminiThinkingConfig = {};
  const budget = thinkingBudget(reasoning, maxTokens);
  if (budget !== undefined) config.thinkingBudget = budget;
  if (!reasoning.exclude) config.includeThoughts = true;
  return Object.keys(config).length > 0 ? config : undefined;
}

function thinkingBudget(reasoning: ReasoningSettings, maxTokens: number): number | undefined {
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  // `{}` (no effort) leaves the model's own (dynamic) budget.
  const effort = reasoning.effort;
  if (effort === undefined || effort === 'none') return undefined;
  const derived = Math.floor(maxTokens * effortRatios[effort]);
  return Math.min(derivedBudgetLimits.max, Math.max(derivedBudgetLimits.min, derived));
}
