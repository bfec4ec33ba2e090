// OpenRouter's pre-flight 402 (openrouter-api.md §5.2, §6.2): "This request
// requires more credits, or fewer max_tokens. You requested up to N tokens,
// but can only afford M." Switchyard says the same for the balance and for a
// key's own limit, with `metadata.limit_source` telling which.
import { paymentRequired, type GatewayError } from '../api/errors.ts';
import type { Pricing } from '../catalog/schema.ts';
import { microsToUsd, worstCasePrices } from './cost.ts';

/** How many output tokens `availableMicros` pays for after the prompt's worst case. */
export function affordableTokens(availableMicros: number, promptTokens: number, pricing: Pricing, requestedTokens: number): bigint {
  const available = BigInt(Math.max(0, availableMicros)) * 1_000_000n;
  // The prices the hold was sized with: the answer agrees with the refusal.
  const { inputPico, outputPico, requestPico } = worstCasePrices(pricing, promptTokens);
  const fixed = BigInt(promptTokens) * inputPico + requestPico;
  const perToken = outputPico;
  if (available <= fixed) return 0n;
  if (perToken === 0n) return BigInt(requestedTokens);
  const affordable = (available - fixed) / perToken;
  return affordable < BigInt(requestedTokens) ? affordable : BigInt(requestedTokens);
}

export interface AffordQuestion {
  promptTokens: number;
  pricing: Pricing;
  requestedTokens: number;
}

const message = (question: AffordQuestion, affordable: bigint, whose: string): string =>
  `This request requires more credits${whose}, or fewer max_tokens. You requested up to ${question.requestedTokens} tokens, but can only afford ${affordable}.`;

export function insufficientCredits(availableMicros: number, question: AffordQuestion): GatewayError {
  const affordable = affordableTokens(availableMicros, question.promptTokens, question.pricing, question.requestedTokens);
  return paymentRequired(message(question, affordable, ''), {
    limit_source: 'switchyard_credits',
    remedy_hint: 'Add credits to the account or lower max_tokens',
  });
}

export interface KeyLimitState {
  limitMicros: number;
  /** What the key's current period leaves, in-flight holds deducted. */
  remainingMicros: number;
  /** When the period ends (epoch ms), or null for a limit that never resets. */
  resetsAt: number | null;
}

/** OpenRouter calls this source `openrouter_key_limit`; Switchyard names its own. */
export function keyLimitReached(state: KeyLimitState, question: AffordQuestion): GatewayError {
  const affordable = affordableTokens(state.remainingMicros, question.promptTokens, question.pricing, question.requestedTokens);
  const resets = state.resetsAt === null ? null : new Date(state.resetsAt).toISOString();
  return paymentRequired(message(question, affordable, " than this key's limit has left"), {
    limit_source: 'switchyard_key_limit',
    limit_usd: microsToUsd(state.limitMicros),
    limit_remaining_usd: microsToUsd(Math.max(0, state.remainingMicros)),
    resets_at: resets,
    remedy_hint: resets === null ? "Raise the key's limit or lower max_tokens" : `Wait until ${resets}, raise the key's limit or lower max_tokens`,
  });
}
