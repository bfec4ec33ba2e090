// OpenRouter's `reasoning` → Anthropic's extended thinking, by the
// conversion OpenRouter documents (openrouter-api.md §2.7):
// budget_tokens = max(min(max_tokens × ratio, 128000), 1024), or
// reasoning.max_tokens itself (at least 1024); max_tokens must exceed the budget.
import type { ChatRequest } from '../../api/chat-request.ts';
import { effortRatios } from '../reasoning-effort.ts';
import type { AnthropicThinking } from './request-types.ts';



export const MIN_THINKING_BUDGET = 1024;
export const MAX_EFFORT_BUDGET = 128_000;

export interface ThinkingPlan {
  thinking: AnthropicThinking | undefined;
  /** The `max_tokens` to send: the caller's cap, raised above the budget when thinking needs room. */
  maxTokens: number;
}

export interface ThinkingLimits {
  /** The output cap the gateway enforces for this call. */
  maxTokens: number;
  /** The endpoint's own output limit: Anthropic refuses a larger `max_tokens`. */
  endpointMaxTokens: number;
}

export function planThinking(request: ChatRequest, limits: ThinkingLimits): ThinkingPlan {
  const none: ThinkingPlan = { thinking: undefined, maxTokens: limits.maxTokens };
  // `reasoning: {}` (and its legacy spelling `include_reasoning: true`) asks
  // for reasoning at the default effort; `exclude` only hides it from the reply.
  const { mode, effort, budgetTokens } = request.reasoning;
  if (mode !== 'on' || effort === 'none') return none;

  let budget =
    budgetTokens !== undefined
      ? Math.max(budgetTokens, MIN_THINKING_BUDGET)
      : Math.max(Math.min(Math.floor(limits.maxTokens * effortRatios[effort ?? 'medium']), MAX_EFFORT_BUDGET), MIN_THINKING_BUDGET);
  // Thinking counts against max_tokens: keep the caller's cap for the answer itself.
  let maxTokens = limits.maxTokens > budget ? limits.maxTokens : budget + limits.maxTokens;
  if (maxTokens > limits.endpointMaxTokens) {
    maxTokens = limits.endpointMaxTokens;
    budget = Math.min(budget, maxTokens - 1);
    // The model cannot think at all within its own output limit.
    if (budget < MIN_THINKING_BUDGET) return { thinking: undefined, maxTokens: limits.maxTokens };
  }
  return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens };
}
