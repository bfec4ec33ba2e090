// The inference pipeline, one way from top to bottom (DESIGN "One request,
// end to end"):
//
//   1. decode     the body, through the door, into the canonical request
//   2. plan       routing: the endpoints to try, in order
//   3. admit      the worst-case credit hold
//   4. attempt    the adapters in turn, up to the commit point
//   5. deliver    canonical events → the door's SSE frames or JSON body
//   6. settle     after the last byte: settle, record, report
//
// Nothing reaches an upstream, and no credit moves, until the key, the body,
// the plan and the hold are all good. Each step reads what the steps above
// it produced and never calls back up. The embeddings door runs the same
// steps (run-embeddings.ts) with the shared attempt loop and a delivery of
// its own.
import { asGatewayError, describeCause } from '../api/errors.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { estimatePromptTokens } from '../billing/prompt-size.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { enforceRateLimit } from '../keys/rate-limit.ts';
import { runAttempts, upstreamStreams } from '../routing/attempt-loop.ts';
import { credentialReadiness } from '../routing/credential-readiness.ts';
import { attemptPlan, sessionKeyFor } from '../routing/plan.ts';
import type { KeyRecord } from '../store/keys.ts';
import { admitWorstCase, outputCap } from './admit.ts';
import { authenticate } from '../keys/authenticate.ts';
import { asksForStream, readJsonBody } from './decode.ts';
import { deliverJson } from './deliver-json.ts';
import { deliverStream } from './deliver-stream.ts';
import type { GatewayDeps } from './deps.ts';
import type { Door } from './door.ts';
import { endGeneration, failed, newGeneration, type Generation } from './generation.ts';
import { requestSignal } from './request-signal.ts';
import { finishAfterReply } from './settle.ts';

export async function runInference(door: Door, httpRequest: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now);
  try {
    const { key, body, rateLimitHeaders } = await openRequest(httpRequest, generation, deps);
    // 1. decode
    generation.streamed = asksForStream(body);
    const { request, stream } = door.decode(body, httpRequest.headers);
    const sessionId = sessionKeyFor(request, httpRequest.headers);
    // Sessions are per account: two accounts' "session-1" are different conversations.
    const sessionKey = sessionId === undefined ? undefined : `${key.accountId}:${sessionId}`;
    const promptEstimate = estimatePromptTokens(request);
    generation.asked = { request, sessionId, sessionKey, promptEstimate };
    // 2. plan
    const { attempts: plan, deprioritized } = attemptPlan({
      request,
      catalog: deps.catalog,
      health: deps.health,
      sticky: deps.sticky,
      sessionKey,
      promptTokens: promptEstimate,
      now,
      random: deps.random,
      credentialReady: await credentialReadiness(request, deps.catalog, deps.credentials),
    });
    generation.deprioritized = deprioritized;
    const maxTokensFor = (endpoint: Endpoint): number => outputCap(request, endpoint, promptEstimate, deps.settings);
    // 3. admit
    generation.admission = await admitWorstCase({ key, generationId: generation.id, request, plan, maxTokensFor }, deps);
    // 4. attempt
    const { signal, release } = requestSignal(httpRequest.signal, deps.settings.attempts.deadlineMs);
    generation.releaseSignal = release;
    const streamFrom = (endpoint: Endpoint): boolean => upstreamStreams({ clientStreams: stream, endpoint, maxTokens: maxTokensFor(endpoint), settings: deps.settings });
    const attempts = runAttempts(
      { request, plan, maxTokensFor, signal, streamFrom },
      {
        adapters: deps.adapters,
        credentials: deps.credentials,
        fetch: deps.fetch,
        now: deps.now,
        random: deps.random,
        sleep: deps.sleep,
        policy: deps.settings.attempts,
        observer: healthObserver(deps),
      },
    );
    // 5. deliver (6, settle, starts from the delivery once its last byte is out)
    const headers = { 'x-generation-id': generation.id, ...rateLimitHeaders };
    return stream ? await deliverStream(door, generation, attempts, signal, headers, deps) : await deliverJson(door, generation, await attempts, headers, deps);
  } catch (thrown) {
    return refused(door.errorReply, generation, thrown, deps);
  }
}

/** What every door does before decoding: the key, its rate limit, and the body within the size limit. */
export async function openRequest(
  httpRequest: GatewayRequest,
  generation: Generation,
  deps: GatewayDeps,
): Promise<{ key: KeyRecord; body: unknown; rateLimitHeaders: Record<string, string> }> {
  const now = generation.startedAt;
  const key = await authenticate(httpRequest.headers, deps.keys, 'inference', now);
  generation.caller = key;
  const rateLimitHeaders = await enforceRateLimit(deps.table, key, now);
  const body = await readJsonBody(httpRequest, deps.settings.maxBodyBytes);
  return { key, body, rateLimitHeaders };
}

/**
 * What the attempt loop tells health: failures as they happen. A success is
 * recorded by the delivery once the reply is out (learnFromSuccess), with
 * what it learnt of the endpoint's speed.
 */
export function healthObserver(deps: GatewayDeps): { success: () => void; failure: (endpoint: Endpoint, error: { status: number; type: string }) => void } {
  return {
    success: () => undefined,
    failure: (endpoint, error) => deps.health.recordFailure(endpoint.id, { status: error.status, errorType: error.type }),
  };
}

/** Refused before any attempt: the door's error reply, and still one record. */
export function refused(errorReply: Door['errorReply'], generation: Generation, thrown: unknown, deps: GatewayDeps): Reply {
  const error = asGatewayError(thrown);
  endGeneration(generation, failed(error));
  finishAfterReply(generation, deps);
  if (error.status >= 500) deps.log({ level: 'error', message: error.message, type: error.type, generation: generation.id, cause: describeCause(error.cause) });
  return errorReply(error, { 'x-generation-id': generation.id });
}
