// POST /embeddings through the pipeline's steps (run.ts), with the
// embeddings door (lib/doors/embeddings), the shared attempt loop and a
// delivery of its own:
//
//   1. decode     the body → the inputs, and the canonical request routing and the hold read
//   2. plan       embedding endpoints only, each input within the endpoint's input limit
//   3. admit      the worst case: every input token at the dearest planned price
//   4. attempt    the shared loop (lib/routing/attempt-loop.ts) until one endpoint returns every vector
//   5. deliver    one JSON body (deliver-embeddings.ts)
//   6. settle     the cost of the prompt tokens, a generation record and a usage record
//
// Loaded on the first /embeddings request. Input text never reaches a log or a record.
import { invalidRequest } from '../api/errors.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { EmbeddingCapability } from '../catalog/schema.ts';
import { runEmbeddingAttempts } from '../embeddings/attempt.ts';
import { credentialReadiness } from '../routing/credential-readiness.ts';
import { attemptPlan } from '../routing/plan.ts';
import { admitWorstCase } from './admit.ts';
import { deliverEmbeddings } from './deliver-embeddings.ts';
import type { GatewayDeps } from './deps.ts';
import type { DecodedEmbeddings, EmbeddingsDoor } from './door.ts';
import { newGeneration } from './generation.ts';
import { requestSignal } from './request-signal.ts';
import { healthObserver, openRequest, refused } from './run.ts';

export async function runEmbeddings(door: EmbeddingsDoor, httpRequest: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now);
  try {
    const { key, body, rateLimitHeaders } = await openRequest(httpRequest, generation, deps);
    // 1. decode
    const { decoded, replyBody } = door.decode(body);
    const { request, tokensPerInput } = decoded;
    const promptEstimate = tokensPerInput.reduce((sum, tokens) => sum + tokens, 0);
    generation.asked = { request, sessionId: undefined, sessionKey: undefined, promptEstimate };
    // 2. plan: each input must fit the endpoint's input limit on its own, so the largest decides.
    const { attempts: planned } = attemptPlan({
      request,
      catalog: deps.catalog,
      health: deps.health,
      sticky: deps.sticky,
      sessionKey: undefined,
      promptTokens: Math.max(...tokensPerInput),
      now,
      random: deps.random,
      credentialReady: await credentialReadiness(request, deps.catalog, deps.credentials),
      output: 'embeddings',
    });
    const plan = withDimensions(planned, decoded);
    // 3. admit: embeddings produce no output tokens, so the hold is the prompt bound at the dearest input price.
    generation.admission = await admitWorstCase({ key, generationId: generation.id, request, plan, maxTokensFor: () => 0 }, deps);
    // 4. attempt
    const { signal, release } = requestSignal(httpRequest.signal, deps.settings.attempts.deadlineMs);
    generation.releaseSignal = release;
    const { inputs, dimensions, inputType, user } = decoded;
    const outcome = await runEmbeddingAttempts(
      { request: { inputs, dimensions, inputType, user }, plan, signal },
      {
        adapters: deps.embeddingAdapters,
        credentials: deps.credentials,
        fetch: deps.fetch,
        now: deps.now,
        random: deps.random,
        sleep: deps.sleep,
        policy: deps.settings.attempts,
        observer: healthObserver(deps),
      },
    );
    // 5. deliver (6, settle, starts once the reply is out)
    return deliverEmbeddings(door, replyBody, generation, outcome, signal, { 'x-generation-id': generation.id, ...rateLimitHeaders }, deps);
  } catch (thrown) {
    return refused(door.errorReply, generation, thrown, deps);
  }
}

/**
 * With `dimensions`, only endpoints that can shorten to that length: a 400
 * naming the field when none of the planned ones can (it is the request,
 * not a provider, that asks for what the model does not do).
 */
function withDimensions(plan: readonly Endpoint[], request: DecodedEmbeddings): Endpoint[] {
  const { dimensions } = request;
  if (dimensions === undefined) return [...plan];
  const usable = plan.filter((endpoint) => acceptsDimensions(endpoint.embedding, dimensions));
  if (usable.length > 0) return usable;
  const models = [...new Set(plan.map((endpoint) => endpoint.modelId))].join(', ');
  throw invalidRequest(`Request is invalid: \`dimensions\` ${dimensions} is not supported by ${models}`, { field: 'dimensions' });
}

function acceptsDimensions(capability: EmbeddingCapability | undefined, dimensions: number): boolean {
  const accepted = capability?.dimensionsParameter;
  if (capability === undefined || accepted === undefined) return false;
  return accepted === 'any' ? dimensions <= capability.dimensions : accepted.includes(dimensions);
}
