// Step 5 for the embeddings door: every vector is in hand once the attempt
// committed (lib/embeddings/attempt.ts), so the reply is one JSON body, with
// the prompt tokens billed. A failure before the commit point is the door's
// error reply, decided as for chat (the client leaving, the deadline).
import type { Reply } from '../api/reply.ts';
import type { EmbeddingAttempts } from '../embeddings/attempt.ts';
import { emptyUsage } from '../streaming/events.ts';
import { servedByHeaders, StopWatch } from './committed.ts';
import type { GatewayDeps } from './deps.ts';
import type { EmbeddingsDoor, EmbeddingsReplyParts } from './door.ts';
import { billed, endGeneration, generationMeta, served, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

export function deliverEmbeddings(
  door: EmbeddingsDoor,
  replyBody: (parts: EmbeddingsReplyParts) => string,
  generation: Generation,
  outcome: EmbeddingAttempts,
  signal: AbortSignal,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Reply {
  const { reply } = generation;
  reply.attempts = outcome.attempts;
  const watch = new StopWatch(signal, deps.settings.attempts.deadlineMs);
  watch.dispose();
  if (outcome.kind === 'failed') {
    const error = watch.errorFor(outcome.error);
    endGeneration(generation, watch.endingFor(error));
    finishAfterReply(generation, deps);
    return door.errorReply(error, headers);
  }
  const { endpoint, value: result } = outcome;
  reply.endpoint = endpoint;
  reply.usage = { ...emptyUsage(), promptTokens: result.promptTokens ?? generation.asked?.promptEstimate ?? 0 };
  reply.finishReason = 'stop';
  reply.firstByteAt = deps.now();
  const body = replyBody({ meta: generationMeta(generation), vectors: result.vectors, billed: billed(generation) });
  // What a success teaches routing, once the reply is made (as learnFromSuccess does for chat).
  deps.health.recordSuccess(endpoint.id, { latencyMs: outcome.attempts.at(-1)?.latencyMs ?? 0, tokensPerSecond: undefined });
  endGeneration(generation, served());
  finishAfterReply(generation, deps);
  return { status: 200, headers: { ...JSON_HEADERS, ...headers, ...servedByHeaders(endpoint) }, body };
}
