// Step 5, for a caller who asked for one JSON body: the committed attempt's
// events into the door's assembler, then the body. A failure before the
// commit point is the door's error reply, with its status.
import type { GatewayError } from '../api/errors.ts';
import type { Reply } from '../api/reply.ts';
import type { AttemptsResult } from '../routing/attempt-loop.ts';
import { clientLeft, endAttempt, learnFromSuccess, markCancelled, nextEvent, servedByHeaders } from './committed.ts';
import type { GatewayDeps } from './deps.ts';
import type { Door } from './door.ts';
import { billed, countUnreported, generationMeta, observe, replyView, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';
import { stoppedBy } from './stopping.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function deliverJson(
  door: Door,
  generation: Generation,
  result: AttemptsResult,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Promise<Reply> {
  generation.attempts = result.attempts;
  if (result.kind === 'failed') return failedBeforeCommit(door, generation, stoppedBy(result.signal) ?? result.error, headers, deps, result.signal);
  generation.endpoint = result.endpoint;
  const assembler = door.jsonAssembler(generationMeta(generation), replyView(generation));
  try {
    for (const event of result.head) {
      observe(generation, event);
      assembler.add(event);
    }
    // A JSON upstream's whole reply is in the head; a streamed one is read to its end.
    while (generation.finishReason === null) {
      let event = await nextEvent(result.rest, result.endpoint);
      if (event === undefined) break;
      const stopping = event.type === 'error' ? stoppedBy(result.signal) : undefined;
      if (stopping !== undefined) event = { type: 'error', error: stopping };
      observe(generation, event);
      assembler.add(event);
    }
  } finally {
    endAttempt(generation, result);
  }
  // Nobody is left to read the body: bill what was generated, as a cancellation.
  if (clientLeft(result.signal)) markCancelled(generation);
  await countUnreported(generation, deps.tokenCounters);
  generation.firstByteAt = deps.now();
  const body = assembler.body(billed(generation));
  const status = assembler.status?.() ?? 200;
  if (status !== 200 && !generation.cancelled) generation.status = status;
  learnFromSuccess(generation, result, deps);
  finishAfterReply(generation, deps);
  return { status, headers: { ...JSON_HEADERS, ...headers, ...servedByHeaders(result.endpoint) }, body };
}

export function failedBeforeCommit(
  door: Door,
  generation: Generation,
  error: GatewayError,
  headers: Record<string, string>,
  deps: GatewayDeps,
  signal: AbortSignal,
): Reply {
  generation.status = error.status;
  generation.error = error;
  if (clientLeft(signal)) markCancelled(generation);
  finishAfterReply(generation, deps);
  return door.errorReply(error, headers);
}
