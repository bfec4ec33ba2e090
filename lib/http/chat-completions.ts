// POST /api/v1/chat/completions: key, rate limit, body, plan, hold, then the attempts.
// Nothing reaches an upstream, and no credit moves, until the key, the body,
// the plan and the hold are all good.
import { chatRequest, requestedMaxTokens, type ChatRequest } from '../api/chat-request.ts';
import { asGatewayError, GatewayError, invalidRequest, unauthorized } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { worstCaseMicros } from '../billing/cost.ts';
import { insufficientCredits, keyLimitReached, type AffordQuestion } from '../billing/limit-errors.ts';
import { periodsAt, resetsAt } from '../billing/periods.ts';
import { estimatePromptTokens, maxPromptTokens } from '../billing/prompt-size.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import { limitPeriod } from '../billing/reservation.ts';
import { enforceRateLimit } from '../keys/rate-limit.ts';
import { runAttempts, type AttemptsResult } from '../routing/attempt-loop.ts';
import { attemptPlan, sessionKeyFor } from '../routing/plan.ts';
import { getAccount, reclaimExpiredHolds } from '../store/accounts.ts';
import { getStoredKey, type KeyRecord } from '../store/keys.ts';
import { spentIn } from '../store/key-spend.ts';
import type { Settings } from '../settings.ts';
import { authenticate } from './auth.ts';
import { jsonReply, streamReply } from './chat-reply.ts';
import type { GatewayDeps } from './deps.ts';
import { finishAfterReply, newGeneration, type Generation } from './generation.ts';
import type { GatewayRequest, Reply } from './reply.ts';
import { responseForThrown } from './responses.ts';

export async function chatCompletions(httpRequest: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now, false);
  try {
    generation.key = await authenticate(httpRequest.headers, deps.keys, 'inference', now);
    const rateLimitHeaders = await enforceRateLimit(deps.table, generation.key, now);
    const body = await readJsonBody(httpRequest, deps.settings.maxBodyBytes);
    generation.streamed = typeof body === 'object' && body !== null && 'stream' in body && body.stream === true;
    const request = parseOrThrow(chatRequest, body);
    generation.request = request;
    const session = sessionKeyFor(request, httpRequest.headers);
    // Sessions are per account: two accounts' "session-1" are different conversations.
    generation.sessionId = session;
    generation.sessionKey = session === undefined ? undefined : `${generation.key.accountId}:${session}`;
    generation.promptEstimate = estimatePromptTokens(request);
    const { attempts: plan } = attemptPlan({
      request,
      catalog: deps.catalog,
      health: deps.health,
      sticky: deps.sticky,
      sessionKey: generation.sessionKey,
      promptTokens: generation.promptEstimate,
      now,
      random: deps.random,
    });
    const maxTokensFor = (endpoint: Endpoint): number => outputCap(request, endpoint, generation.promptEstimate, deps.settings);
    generation.admission = await admitWorstCase(generation, request, plan, maxTokensFor, deps);
    const signal = requestSignal(httpRequest.signal, deps.settings.attempts.deadlineMs);
    const attempts = runAttempts(
      { request, plan, maxTokensFor, signal },
      {
        adapters: deps.adapters,
        credentials: deps.credentials,
        fetch: deps.fetch,
        now: deps.now,
        random: deps.random,
        sleep: deps.sleep,
        policy: deps.settings.attempts,
        observer: {
          success: () => undefined,
          failure: (endpoint, error) =>
            deps.health.recordFailure(endpoint.id, { status: error.status, errorType: error.type }),
        },
      },
    );
    const headers = { 'x-generation-id': generation.id, ...rateLimitHeaders };
    return generation.streamed
      ? await streamReply(generation, attempts, signal, headers, deps)
      : await jsonReply(generation, await attempts, headers, deps);
  } catch (thrown) {
    return failedBeforeAttempts(generation, thrown, deps);
  }
}

export function failedBeforeAttempts(generation: Generation, thrown: unknown, deps: GatewayDeps): Reply {
  const error = asGatewayError(thrown);
  generation.status = error.status;
  generation.error = error;
  finishAfterReply(generation, deps);
  return responseForThrown(error, deps.log, { 'x-generation-id': generation.id });
}

/** The request's body as JSON: 413 past the size limit, 400 when it is not JSON. */
async function readJsonBody(request: GatewayRequest, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw payloadTooLarge(limit);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > limit) throw payloadTooLarge(limit);
  if (bytes.byteLength === 0) throw invalidRequest('Request body is empty: send a JSON chat completion request');
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidRequest('Request body is not valid JSON');
  }
}

function payloadTooLarge(limit: number): GatewayError {
  return new GatewayError({ status: 413, type: 'payload_too_large', message: `Request body is larger than ${limit} bytes` });
}

/** The caller's cap, else the default; never more than the endpoint or its context allows. */
function outputCap(request: ChatRequest, endpoint: Endpoint, promptTokens: number, settings: Settings): number {
  const requested = requestedMaxTokens(request) ?? settings.defaultMaxTokens;
  const room = Math.max(1, endpoint.contextLength - promptTokens);
  return Math.max(1, Math.min(requested, endpoint.maxCompletionTokens, room));
}

/**
 * Reserve what the most expensive planned attempt could cost (a fallback may
 * be dearer), on the account and on the key: 402 when either cannot cover it.
 */
async function admitWorstCase(
  generation: Generation,
  request: ChatRequest,
  plan: readonly Endpoint[],
  maxTokensFor: (endpoint: Endpoint) => number,
  deps: GatewayDeps,
): Promise<Admission> {
  const key = generation.key as KeyRecord;
  const promptBound = maxPromptTokens(request);
  let amountMicros = 0;
  for (const endpoint of plan) {
    // With reasoning on, an adapter may raise the output cap by the thinking
    // budget, up to the endpoint's own limit: hold for that.
    const output = reasoningRequested(request) ? endpoint.maxCompletionTokens : maxTokensFor(endpoint);
    amountMicros = Math.max(amountMicros, worstCaseMicros(promptBound, output, endpoint.pricing));
  }
  const now = deps.now();
  const reserve = () => deps.ledger.admit(key, generation.id, amountMicros);
  let reservation = await reserve();
  // Holds abandoned by a crash or a timeout must not refuse a request once
  // they have expired: reclaim them, then ask once more (refusals only).
  if (!reservation.ok && (await reclaimExpiredHolds(deps.table, key.accountId, now)) > 0) reservation = await reserve();
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

/** The client's signal, ended also by the request's deadline. */
function requestSignal(client: AbortSignal, deadlineMs: number): AbortSignal {
  return AbortSignal.any([client, AbortSignal.timeout(deadlineMs)]);
}

export type { AttemptsResult };
