// POST /embeddings through the pipeline's own steps: the key check, the body,
// the plan (embedding endpoints only), the worst-case hold (every input
// token at the dearest planned price), the attempts with fallback (nothing
// is sent before all the vectors are in hand), then one JSON reply and the
// settle: the cost of the prompt tokens, a generation record and a usage
// record. Input text never reaches a log or a record.
import { asGatewayError, describeCause, invalidRequest, type GatewayError } from '../api/errors.ts';
import { errorResponse, type GatewayRequest, type Reply } from '../api/reply.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { EmbeddingCapability } from '../catalog/schema.ts';
import { runEmbeddingAttempts } from '../embeddings/attempts.ts';
import { embeddingsReplyBody } from '../embeddings/reply-body.ts';
import { estimateInputTokens, parseEmbeddingRequest, routingRequest, type EmbeddingRequest } from '../embeddings/request.ts';
import { authenticate } from '../keys/authenticate.ts';
import { enforceRateLimit } from '../keys/rate-limit.ts';
import { credentialReadiness } from '../routing/credential-readiness.ts';
import { attemptPlan } from '../routing/plan.ts';
import { emptyUsage } from '../streaming/events.ts';
import { admitWorstCase } from './admit.ts';
import { clientLeft, markCancelled, servedByHeaders } from './committed.ts';
import { readJsonBody } from './decode.ts';
import type { GatewayDeps } from './deps.ts';
import { generationCost, newGeneration, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function runEmbeddings(httpRequest: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const now = deps.now();
  const generation = newGeneration(deps.generationId(), now, false);
  const headers: Record<string, string> = { 'x-generation-id': generation.id };
  try {
    generation.key = await authenticate(httpRequest.headers, deps.keys, 'inference', now);
    Object.assign(headers, await enforceRateLimit(deps.table, generation.key, now));
    const embedding = parseEmbeddingRequest(await readJsonBody(httpRequest, deps.settings.maxBodyBytes));
    const request = routingRequest(embedding);
    generation.request = request;
    const tokensPerInput = embedding.inputs.map(estimateInputTokens);
    generation.promptEstimate = tokensPerInput.reduce((sum, tokens) => sum + tokens, 0);
    // Each input must fit the endpoint's input limit on its own: the largest decides.
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
    const plan = withDimensions(planned, embedding);
    // Embeddings produce no output tokens: the hold is the prompt bound at the dearest input price.
    generation.admission = await admitWorstCase({ key: generation.key, generationId: generation.id, request, plan, maxTokensFor: () => 0 }, deps);
    const signal = AbortSignal.any([httpRequest.signal, AbortSignal.timeout(deps.settings.attempts.deadlineMs)]);
    const outcome = await runEmbeddingAttempts(
      { request: { inputs: embedding.inputs, dimensions: embedding.dimensions, inputType: embedding.inputType, user: embedding.user }, plan, signal },
      {
        adapters: deps.embeddingAdapters,
        credentials: deps.credentials,
        fetch: deps.fetch,
        now: deps.now,
        random: deps.random,
        sleep: deps.sleep,
        policy: deps.settings.attempts,
        observer: {
          success: (endpoint, latencyMs) => deps.health.recordSuccess(endpoint.id, { latencyMs, tokensPerSecond: undefined }),
          failure: (endpoint, error) => deps.health.recordFailure(endpoint.id, { status: error.status, errorType: error.type }),
        },
      },
    );
    generation.attempts = outcome.attempts;
    if (outcome.kind === 'failed') {
      if (clientLeft(signal)) markCancelled(generation);
      return failed(generation, outcome.error, headers, deps);
    }
    const { endpoint, result } = outcome;
    generation.endpoint = endpoint;
    generation.usage = { ...emptyUsage(), promptTokens: result.promptTokens ?? generation.promptEstimate };
    generation.finishReason = 'stop';
    generation.firstByteAt = deps.now();
    const cost = generationCost(generation);
    const body = embeddingsReplyBody({
      id: generation.id,
      model: endpoint.modelId,
      provider: endpoint.provider.name,
      vectors: result.vectors,
      encodingFormat: embedding.encodingFormat,
      promptTokens: generation.usage.promptTokens,
      cost,
    });
    finishAfterReply(generation, deps);
    return { status: 200, headers: { ...JSON_HEADERS, ...headers, ...servedByHeaders(endpoint) }, body };
  } catch (thrown) {
    return failed(generation, asGatewayError(thrown), headers, deps);
  }
}

/**
 * With `dimensions`, only endpoints that can shorten to that length: a 400
 * naming the field when none of the planned ones can (it is the request,
 * not a provider, that asks for what the model does not do).
 */
function withDimensions(plan: readonly Endpoint[], request: EmbeddingRequest): Endpoint[] {
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

/** A failure before any byte was sent: its error reply, and still one record. */
function failed(generation: Generation, error: GatewayError, headers: Record<string, string>, deps: GatewayDeps): Reply {
  if (generation.status !== 499) generation.status = error.status;
  generation.error = error;
  finishAfterReply(generation, deps);
  if (error.status >= 500) deps.log({ level: 'error', message: error.message, type: error.type, generation: generation.id, cause: describeCause(error.cause) });
  return errorResponse(error, headers);
}
