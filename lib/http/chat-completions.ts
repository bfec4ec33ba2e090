// POST /api/v1/chat/completions: key, body, plan, hold, then the attempts.
// Nothing reaches an upstream, and no credit moves, until the key, the body,
// the plan and the hold are all good.
import { chatRequest, requestedMaxTokens, type ChatRequest } from '../api/chat-request.ts';
import { asGatewayError, GatewayError, invalidRequest, paymentRequired } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { picoPerToken, worstCaseMicros } from '../billing/cost.ts';
import { estimatePromptTokens, maxPromptTokens } from '../billing/prompt-size.ts';
import { runAttempts, type AttemptsResult } from '../routing/attempt-loop.ts';
import { attemptPlan, sessionKeyFor } from '../routing/plan.ts';
import { getAccount, reserveCredits, type Hold } from '../store/accounts.ts';
import type { Settings } from '../settings.ts';
import { authenticate } from './auth.ts';
import { jsonReply, streamReply } from './chat-reply.ts';
import type { GatewayDeps } from './deps.ts';
import { finishGeneration, newGeneration, type Generation } from './generation.ts';
import { responseForThrown } from './responses.ts';

export async function chatCompletions(httpRequest: Request, deps: GatewayDeps): Promise<Response> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now, false);
  try {
    generation.key = await authenticate(httpRequest.headers, deps.keys, 'inference', now);
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
    generation.hold = await holdWorstCase(generation, request, plan, maxTokensFor, deps);
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
    const headers = { 'x-generation-id': generation.id };
    return generation.streamed
      ? await streamReply(generation, attempts, signal, headers, deps)
      : await jsonReply(generation, await attempts, headers, deps);
  } catch (thrown) {
    return failedBeforeAttempts(generation, thrown, deps);
  }
}

export function failedBeforeAttempts(generation: Generation, thrown: unknown, deps: GatewayDeps): Response {
  const error = asGatewayError(thrown);
  generation.status = error.status;
  generation.error = error;
  deps.waitUntil(finishGeneration(generation, deps));
  const response = responseForThrown(error, deps.log);
  response.headers.set('x-generation-id', generation.id);
  return response;
}

/** The request's body as JSON: 413 past the size limit, 400 when it is not JSON. */
async function readJsonBody(request: Request, limit: number): Promise<unknown> {
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

/** Reserve what the most expensive planned attempt could cost (a fallback may be dearer). */
async function holdWorstCase(
  generation: Generation,
  request: ChatRequest,
  plan: readonly Endpoint[],
  maxTokensFor: (endpoint: Endpoint) => number,
  deps: GatewayDeps,
): Promise<Hold> {
  const account = (generation.key as { accountId: string }).accountId;
  const promptBound = maxPromptTokens(request);
  let amountMicros = 0;
  for (const endpoint of plan) {
    // With reasoning on, an adapter may raise the output cap by the thinking
    // budget, up to the endpoint's own limit: hold for that.
    const output = reasoningRequested(request) ? endpoint.maxCompletionTokens : maxTokensFor(endpoint);
    amountMicros = Math.max(amountMicros, worstCaseMicros(promptBound, output, endpoint.pricing));
  }
  const hold: Hold = { id: generation.id, amountMicros, expiresAt: deps.now() + deps.settings.holdTtlMs };
  const reserved = await reserveCredits(deps.table, account, hold);
  if (reserved.ok) return hold;
  throw await insufficientCredits(account, promptBound, plan[0] as Endpoint, maxTokensFor(plan[0] as Endpoint), deps);
}

function reasoningRequested(request: ChatRequest): boolean {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return request.reasoning_effort !== undefined && request.reasoning_effort !== 'none';
  return reasoning.enabled !== false && reasoning.effort !== 'none';
}

/** OpenRouter's pre-flight 402: how many output tokens the balance could pay for. */
async function insufficientCredits(
  accountId: string,
  promptTokens: number,
  endpoint: Endpoint,
  requestedTokens: number,
  deps: GatewayDeps,
): Promise<GatewayError> {
  const account = await getAccount(deps.table, accountId);
  const available = BigInt(Math.max(0, account?.availableMicros ?? 0)) * 1_000_000n;
  const promptCost = BigInt(promptTokens) * picoPerToken(endpoint.pricing.prompt);
  const perToken = picoPerToken(endpoint.pricing.completion);
  const affordable = available <= promptCost ? 0n : perToken === 0n ? BigInt(requestedTokens) : (available - promptCost) / perToken;
  return paymentRequired(
    `This request requires more credits, or fewer max_tokens. You requested up to ${requestedTokens} tokens, but can only afford ${affordable}.`,
    { limit_source: 'switchyard_credits', remedy_hint: 'Add credits to the account or lower max_tokens' },
  );
}

/** The client's signal, ended also by the request's deadline. */
function requestSignal(client: AbortSignal, deadlineMs: number): AbortSignal {
  return AbortSignal.any([client, AbortSignal.timeout(deadlineMs)]);
}

export type { AttemptsResult };
