// Step 3: the credit hold. Before any upstream call, reserve what the most
// expensive planned attempt could cost (DESIGN decision 5): 402 when the
// account or the key cannot cover it.
import { requestedMaxTokens, type ChatRequest } from '../api/chat-request.ts';
import { unauthorized } from '../api/errors.ts';
import { worstCaseMicros } from '../billing/cost.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import { insufficientCredits, keyLimitReached, type AffordQuestion } from '../billing/limit-errors.ts';
import { periodsAt, resetsAt } from '../billing/periods.ts';
import { maxPromptTokens } from '../billing/prompt-size.ts';
import { limitPeriod } from '../billing/reservation.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { Settings } from '../settings.ts';
import { getAccount, reclaimExpiredHolds } from '../store/accounts.ts';
import { spentIn } from '../store/key-spend.ts';
import { getStoredKey, type KeyRecord } from '../store/keys.ts';
import type { GatewayDeps } from './deps.ts';

/** The caller's cap, else the default; never more than the endpoint or its context allows. */
export function outputCap(request: ChatRequest, endpoint: Endpoint, promptTokens: number, settings: Settings): number {
  const requested = requestedMaxTokens(request) ?? settings.defaultMaxTokens;
  const room = Math.max(1, endpoint.contextLength - promptTokens);
  return Math.max(1, Math.min(requested, endpoint.maxCompletionTokens, room));
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
  for (const endpoint of plan) {
    // With reasoning on, an adapter may raise the output cap by the thinking
    // budget, up to the endpoint's own limit: hold for that.
    const output = reasoningRequested(request) ? endpoint.maxCompletionTokens : maxTokensFor(endpoint);
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
  const question: AffordQuestion = { promptTokens: promptBound, pricing: first.pricing, requestedTokens: maxTokensFor(first) };
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

function reasoningRequested(request: ChatRequest): boolean {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return request.reasoning_effort !== undefined && request.reasoning_effort !== 'none';
  return reasoning.enabled !== false && reasoning.effort !== 'none';
}
