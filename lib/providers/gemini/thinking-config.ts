// OpenRouter's `reasoning` (and its shorthands `reasoning_effort`,
// `include_reasoning`) → Gemini's thinkingConfig. Gemini takes a token budget,
// so an effort becomes a share of the output cap, with OpenRouter's ratios
// (openrouter-api.md §2.7).
import type { ChatRequest, ReasoningConfig } from '../../api/chat-request.ts';
import { effortRatios } from '../reasoning-effort.ts';
import type { GeminiThinkingConfig } from './request-types.ts';



/**
 * Bounds for a budget we derive from an effort: every Gemini 2.5 model
 * accepts this range (Flash-Lite's minimum is 512; Flash's maximum 24576).
 * A caller's explicit `reasoning.max_tokens` is passed on as given.
 */
export const derivedBudgetLimits = { min: 512, max: 24_576 } as const;

/** The caller's reasoning settings with the shorthands folded in, or undefined when they gave none. */
export function effectiveReasoning(request: ChatRequest): ReasoningConfig | undefined {
  const { reasoning, reasoning_effort: effort, include_reasoning: include } = request;
  if (reasoning === undefined && effort === undefined && include === undefined) return undefined;
  return {
    ...reasoning,
    effort: effort ?? reasoning?.effort,
    exclude: reasoning?.exclude ?? (include === false ? true : undefined),
  };
}

export function thinkingConfig(request: ChatRequest, maxTokens: number): GeminiThinkingConfig | undefined {
  const reasoning = effectiveReasoning(request);
  if (reasoning === undefined) return undefined;
  if (reasoning.enabled === false || reasoning.effort === 'none') return { thinkingBudget: 0 };
  const config: GeminiThinkingConfig = {};
  const budget = thinkingBudget(reasoning, maxTokens);
  if (budget !== undefined) config.thinkingBudget = budget;
  if (reasoning.exclude !== true) config.includeThoughts = true;
  return Object.keys(config).length > 0 ? config : undefined;
}

function thinkingBudget(reasoning: ReasoningConfig, maxTokens: number): number | undefined {
  if (reasoning.max_tokens !== undefined) return reasoning.max_tokens;
  // `enabled: true` alone means medium effort; `{}` leaves the model's own (dynamic) budget.
  const effort = reasoning.effort ?? (reasoning.enabled === true ? 'medium' : undefined);
  if (effort === undefined || effort === 'none') return undefined;
  const derived = Math.floor(maxTokens * effortRatios[effort]);
  return Math.min(derivedBudgetLimits.max, Math.max(derivedBudgetLimits.min, derived));
}
