// Step 5, for a caller who asked for one JSON body: the committed attempt's
// events into the door's assembler, then the body. A failure before the
// commit point is the door's error reply, with its status.
import type { GatewayError } from '../api/errors.ts';
import type { Reply } from '../api/reply.ts';
import type { AttemptsResult } from '../routing/attempt-loop.ts';
import { CLIENT_LEFT, endAttempt, learnFromSuccess, nextEvent, servedByHeaders, StopWatch } from './committed.ts';
import type { GatewayDeps } from './deps.ts';
import type { Door } from './door.ts';
import { billed, countUnreported, endGeneration, generationMeta, observe, replyView, served, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function deliverJson(
  door: Door,
  generation: Generation,
  result: AttemptsResult,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Promise<Reply> {
  const { reply } = generation;
  reply.attempts = result.attempts;
  const watch = new StopWatch(result.signal, deps.settings.attempts.deadlineMs);
  if (result.kind === 'failed') {
    watch.dispose();
    return failedBeforeCommit(door, generation, result.error, headers, deps, watch);
  }
  reply.endpoint = result.endpoint;
  const assembler = door.jsonAssembler(generationMeta(generation), replyView(generation));
  try {
    for (const event of result.head) {
      observe(reply, event);
      assembler.add(event);
    }
    // A JSON upstream's whole reply is in the head; a streamed one is read to its end.
    while (reply.finishReason === null) {
      const event = await nextEvent(result.rest, result.endpoint, watch);
      // Nobody is left to read the body: bill what was generated, as a cancellation.
      if (event === CLIENT_LEFT) break;
      observe(reply, event);
      assembler.add(event);
    }
  } finally {
    watch.dispose();
    if (watch.stop === 'client-left') endGeneration(generation, { status: 499, error: undefined, cancelled: true });
    endAttempt(generation, result);
  }
  await countUnreported(generation, deps.tokenCounters);
  reply.firstByteAt = deps.now();
  const body = assembler.body(billed(generation));
  const status = assembler.status?.() ?? 200;
  endGeneration(generation, reply.error === undefined ? served(status) : watch.endingFor(reply.error, status));
  learnFromSuccess(generation, result, deps);
  finishAfterReply(generation, deps);
  return { status, headers: { ...JSON_HEADERS, ...headers, ...servedByHeaders(result.endpoint) }, body };
}

/** Every attempt failed (or the request stopped) before the commit point: the door's error reply. */
export function failedBeforeCommit(
  door: Door,
  generation: Generation,
  error: GatewayError,
  headers: Record<string, string>,
  deps: GatewayDeps,
  watch: StopWatch,
): Reply {
  const reported = watch.errorFor(error);
  endGeneration(generation, watch.endingFor(reported));
  finishAfterReply(generation, deps);
  return door.errorReply(reported, headers);
}
