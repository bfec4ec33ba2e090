// Step 5, for a caller who asked for a stream: the door's SSE frames as the
// committed attempt's events arrive. Before the commit point a failure keeps
// its HTTP status, unless keep-alives had to start (then it comes in-band);
// after it, a failure ends the stream with one in-band error and the door's
// terminator, the deadline passing included.
import { asGatewayError } from '../api/errors.ts';
import type { FrameSource, Reply } from '../api/reply.ts';
import type { AttemptsResult } from '../routing/attempt-loop.ts';
import { CLIENT_LEFT, endAttempt, learnFromSuccess, nextEvent, servedByHeaders, StopWatch } from './committed.ts';
import type { GatewayDeps } from './deps.ts';
import { failedBeforeCommit } from './deliver-json.ts';
import type { Door } from './door.ts';
import { billed, countUnreported, endGeneration, generationMeta, observe, replyView, served, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** How a stream ends when its reader went away: nobody is left to read a frame. */
const READER_LEFT = { status: 499, error: undefined, cancelled: true } as const;

export async function deliverStream(
  door: Door,
  generation: Generation,
  attempts: Promise<AttemptsResult>,
  signal: AbortSignal,
  headers: Record<string, string>,
  deps: GatewayDeps,
): Promise<Reply> {
  const early = await firstOf(attempts, deps.settings.keepAlive.firstAfterMs);
  if (early !== undefined && early.kind === 'failed') {
    generation.reply.attempts = early.attempts;
    const watch = new StopWatch(signal, deps.settings.attempts.deadlineMs);
    watch.dispose();
    return failedBeforeCommit(door, generation, early.error, headers, deps, watch);
  }
  const frames = sseFrames(door, generation, early, attempts, signal, deps);
  const source: FrameSource = {
    frames,
    cancel: async () => {
      endGeneration(generation, READER_LEFT);
      await frames.return(undefined);
    },
  };
  // Committed before the first byte: the headers can name who answered (after keep-alives, only the chunks can).
  const servedBy = early?.kind === 'committed' ? servedByHeaders(early.endpoint) : {};
  return { status: 200, headers: { ...SSE_HEADERS, ...headers, ...servedBy }, body: source };
}

async function* sseFrames(
  door: Door,
  generation: Generation,
  early: AttemptsResult | undefined,
  attempts: Promise<AttemptsResult>,
  signal: AbortSignal,
  deps: GatewayDeps,
): AsyncGenerator<string> {
  const { reply } = generation;
  let result = early;
  const watch = new StopWatch(signal, deps.settings.attempts.deadlineMs);
  try {
    // Still waiting once the 200 goes out: a comment at once, then one per
    // interval, so the client (and any proxy) sees bytes, not a silent 200.
    while (result === undefined) {
      yield door.keepAliveFrame;
      result = await firstOf(attempts, deps.settings.keepAlive.intervalMs);
    }
    reply.attempts = result.attempts;
    if (result.kind === 'failed') {
      // Keep-alives already committed a 200: the failure goes in-band.
      const error = watch.errorFor(result.error);
      reply.error = error;
      reply.finishReason = 'error';
      endGeneration(generation, watch.endingFor(error, 200));
      if (watch.stop === 'client-left') return;
      const encoder = door.streamEncoder(generationMeta(generation, result.attempts.at(-1)?.endpoint), { includeReasoning: false });
      yield encoder.open() + encoder.fail(error, undefined);
      return;
    }
    reply.endpoint = result.endpoint;
    const encoder = door.streamEncoder(generationMeta(generation), replyView(generation));
    reply.firstByteAt = deps.now();
    let frame = encoder.open();
    for (const event of result.head) {
      observe(reply, event);
      frame += encoder.encode(event);
    }
    if (frame !== '') yield frame;
    while (reply.finishReason === null) {
      const event = await nextEvent(result.rest, result.endpoint, watch);
      if (event === CLIENT_LEFT) {
        endGeneration(generation, READER_LEFT);
        return;
      }
      observe(reply, event);
      if (event.type !== 'error') {
        frame = encoder.encode(event);
        if (frame !== '') yield frame;
        continue;
      }
      // After the commit point: one in-band error with what was billed so far, then the terminator.
      endGeneration(generation, watch.endingFor(event.error, 200));
      await countUnreported(generation, deps.tokenCounters);
      yield encoder.fail(event.error, billed(generation));
      return;
    }
    await countUnreported(generation, deps.tokenCounters);
    yield encoder.close(billed(generation));
    endGeneration(generation, served());
    learnFromSuccess(generation, result, deps);
  } catch (error) {
    if (watch.stop === undefined) deps.log({ level: 'error', message: 'stream failed', generation: generation.id, error: String(error) });
    endGeneration(generation, watch.endingFor(asGatewayError(error), 200));
  } finally {
    watch.dispose();
    // Returned early (the reader went away while a frame was out) ends here with no decision yet.
    endGeneration(generation, READER_LEFT);
    if (result?.kind === 'committed') endAttempt(generation, result);
    finishAfterReply(generation, deps);
  }
}

/** The promise's value if it settles within `ms`, else undefined. */
async function firstOf<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
