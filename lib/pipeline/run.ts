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
// it produced and never calls back up.
import { asGatewayError, describeCause } from '../api/errors.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { estimatePromptTokens } from '../billing/prompt-size.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { enforceRateLimit } from '../keys/rate-limit.ts';
import { runAttempts } from '../routing/attempt-loop.ts';
import { credentialReadiness } from '../routing/credential-readiness.ts';
import { attemptPlan, sessionKeyFor } from '../routing/plan.ts';
import { admitWorstCase, outputCap } from './admit.ts';
import { authenticate } from '../keys/authenticate.ts';
import { asksForStream, readJsonBody } from './decode.ts';
import { deliverJson } from './deliver-json.ts';
import { deliverStream } from './deliver-stream.ts';
import type { GatewayDeps } from './deps.ts';
import type { Door } from './door.ts';
import { newGeneration, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';

export async function runInference(door: Door, httpRequest: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now, false);
  try {
    generation.key = await authenticate(httpRequest.headers, deps.keys, 'inference', now);
    const rateLimitHeaders = await enforceRateLimit(deps.table, generation.key, now);
    // 1. decode
    const body = await readJsonBody(httpRequest, deps.settings.maxBodyBytes);
    generation.streamed = asksForStream(body);
    const { request, stream } = door.decode(body, httpRequest.headers);
    generation.request = request;
    generation.streamed = stream;
    const session = sessionKeyFor(request, httpRequest.headers);
    // Sessions are per account: two accounts' "session-1" are different conversations.
    generation.sessionId = session;
    generation.sessionKey = session === undefined ? undefined : `${generation.key.accountId}:${session}`;
    generation.promptEstimate = estimatePromptTokens(request);
    // 2. plan
    const { attempts: plan } = attemptPlan({
      request,
      catalog: deps.catalog,
      health: deps.health,
      sticky: deps.sticky,
      sessionKey: generation.sessionKey,
      promptTokens: generation.promptEstimate,
      now,
      random: deps.random,
      credentialReady: await credentialReadiness(request, deps.catalog, deps.credentials),
    });
    const maxTokensFor = (endpoint: Endpoint): number => outputCap(request, endpoint, generation.promptEstimate, deps.settings);
    // 3. admit
    generation.admission = await admitWorstCase({ key: generation.key, generationId: generation.id, request, plan, maxTokensFor }, deps);
    // 4. attempt
    const { jsonUpstream } = deps.settings;
    const signal = AbortSignal.any([httpRequest.signal, AbortSignal.timeout(deps.settings.attempts.deadlineMs)]);
    const attempts = runAttempts(
      { request, plan, maxTokensFor, signal, streamFrom: (endpoint) => stream || !jsonUpstream.includes(endpoint.provider.kind) },
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
          failure: (endpoint, error) => deps.health.recordFailure(endpoint.id, { status: error.status, errorType: error.type }),
        },
      },
    );
    // 5. deliver (6, settle, starts from the delivery once its last byte is out)
    const headers = { 'x-generation-id': generation.id, ...rateLimitHeaders };
    return stream ? await deliverStream(door, generation, attempts, signal, headers, deps) : await deliverJson(door, generation, await attempts, headers, deps);
  } catch (thrown) {
    return refused(door, generation, thrown, deps);
  }
}

/** Refused before any attempt: the door's error reply, and still one record. */
function refused(door: Door, generation: Generation, thrown: unknown, deps: GatewayDeps): Reply {
  const error = asGatewayError(thrown);
  generation.status = error.status;
  generation.error = error;
  finishAfterReply(generation, deps);
  if (error.status >= 500) deps.log({ level: 'error', message: error.message, type: error.type, generation: generation.id, cause: describeCause(error.cause) });
  return door.errorReply(error, { 'x-generation-id': generation.id });
}
