// Step 3: the credit hold. Before any upstream call, reserve what the most
// expensive planned attempt could cost (DESIGN decision 5): 402 when the
// account or the key cannot cover it.
import type { ChatRequest } from '../api/chat-request.ts';
import { unauthorized } from '../api/errors.ts';
import { worstCaseMicros } from '../billing/cost.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import { insufficientCredits, keyLimitReached, type AffordQuestion } from '../billing/limit-errors.ts';
import { periodsAt, resetsAt } from '../billing/periods.ts';
import { maxPromptTokens } from '../billing/prompt-size.ts';
import { limitPeriod } from '../billing/reservation.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { planThinking } from '../providers/anthropic/thinking-budget.ts';
import type { Settings } from '../settings.ts';
import { getAccount, reclaimExpiredHolds } from '../store/accounts.ts';
import { spentIn } from '../store/key-spend.ts';
import { getStoredKey, type KeyRecord } from '../store/keys.ts';
import type { GatewayDeps } from './deps.ts';

/** The caller's cap, else the default; never more than the endpoint or its context allows. */
export function outputCap(request: ChatRequest, endpoint: Endpoint, promptTokens: number, settings: Settings): number {
  const requested = request.maxOutputTokens ?? settings.defaultMaxTokens;
  const room = Math.max(1, endpoint.contextLength - promptTokens);
  return Math.max(1, Math.min(requested, endpoint.maxCompletionTokens, room));
}

/**
 * The most output tokens an adapter asks the endpoint for, given the cap: the
 * cap itself, or with reasoning on, the cap raised by the thinking budget
 * where a wire counts thinking inside `max_tokens` (Anthropic and Claude on
 * Bedrock, by `planThinking`: the cap is kept for the answer). Other wires
 * send the cap and count reasoning inside it, so this bounds them too. The
 * hold covers it: the charge for what was generated is never cut short by
 * the hold.
 */
export function upstreamOutputBound(request: ChatRequest, endpoint: Endpoint, cap: number): number {
  const supports = endpoint.supportedParameters;
  const takesReasoning = supports.has('reasoning') || supports.has('reasoning_effort') || supports.has('include_reasoning');
  if (request.reasoning.mode !== 'on' || !takesReasoning) return cap;
  return planThinking(request, { maxTokens: cap, endpointMaxTokens: endpoint.maxCompletionTokens }).maxTokens;
}

export interface HoldInput {
  key: KeyRecord;
  generationId: string;
  request: ChatRequest;
  plan: readonly Endpoint[];
  maxTokensFor: (endpoint: Endpoint) => number;
}

export async function admitWorstCase(input: HoldInput, deps: GatewayDeps): Promise<Admission> {
  const { key, request, plan, maxTokensFor } = input;
  const promptBound = maxPromptTokens(request);
  let amountMicros = 0;
  const outputFor = (endpoint: Endpoint): number => upstreamOutputBound(request, endpoint, maxTokensFor(endpoint));
  for (const endpoint of plan) {
    const output = outputFor(endpoint);
    amountMicros = Math.max(amountMicros, worstCaseMicros(promptBound, output, endpoint.pricing));
  }
  const now = deps.now();
  const reserve = () => deps.ledger.admit(key, input.generationId, amountMicros);
  let reservation = await reserve();
  // Holds abandoned by a crash or a timeout must not refuse a request once
  // they have expired: reclaim them, then ask once more (refusals only).
  if (!reservation.ok && (await reclaimExpiredHolds(deps.table, key.accountId, now, key.hash)) > 0) reservation = await reserve();
  if (reservation.ok) return reservation.admission;
  const first = plan[0] as Endpoint;
  const question: AffordQuestion = { promptTokens: promptBound, pricing: first.pricing, requestedTokens: outputFor(first) };
  if (reservation.reason === 'credits') {
    const account = await getAccount(deps.table, key.accountId);
    throw insufficientCredits(account?.availableMicros ?? 0, question);
  }
  const stored = await getStoredKey(deps.table, key.hash);
  if (stored === undefined) throw unauthorized('Unknown API key');
  // The limit that was checked: this container's copy of the key.
  const { limitReset } = key;
  const limitMicros = key.limitMicros ?? 0;
  const used = spentIn(stored.spend, limitPeriod(limitReset), periodsAt(now)).usedMicros;
  throw keyLimitReached({ limitMicros, remainingMicros: limitMicros - used, resetsAt: resetsAt(limitReset, now) }, question);
}
