// OpenRouter's `reasoning` knobs as Claude's thinking budget, the same
// conversion as on Anthropic's own API (openrouter-api.md §2.7).
import type { ChatRequest } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';

type Effort = NonNullable<ChatRequest['reasoning_effort']>;

const effortRatio: Record<Exclude<Effort, 'none'>, number> = {
  max: 0.95,
  xhigh: 0.95,
  high: 0.8,
  medium: 0.5,
  low: 0.2,
  minimal: 0.1,
};

/** Anthropic refuses smaller budgets. */
export const MIN_THINKING_BUDGET = 1024;
const MAX_THINKING_BUDGET = 128_000;

/**
 * The thinking budget the request asks for, or undefined when it asks for no
 * reasoning. Throws a 400 when the budget leaves no room for an answer:
 * Anthropic requires `max_tokens` to exceed it, and raising the output cap
 * silently would break the credit reservation made for it.
 */
export function thinkingBudget(request: ChatRequest, maxTokens: number): number | undefined {
  const reasoning = request.reasoning;
  const effort = reasoning?.effort ?? request.reasoning_effort;
  if (reasoning?.enabled === false || effort === 'none') return undefined;

  let budget: number;
  let field: string;
  if (reasoning?.max_tokens !== undefined) {
    budget = Math.max(reasoning.max_tokens, MIN_THINKING_BUDGET);
    field = 'reasoning.max_tokens';
  } else if (effort !== undefined || reasoning?.enabled === true) {
    const ratio = effortRatio[effort ?? 'medium'];
    budget = Math.max(Math.min(Math.floor(maxTokens * ratio), MAX_THINKING_BUDGET), MIN_THINKING_BUDGET);
    field = 'max_tokens';
  } else {
    return undefined;
  }

  if (budget >= maxTokens) {
    throw invalidRequest(
      `\`${field}\`: the reasoning budget (${budget} tokens) must be below the output limit (${maxTokens} tokens)`,
      { field },
    );
  }
  return budget;
}
