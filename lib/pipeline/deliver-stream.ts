// Step 5, for a caller who asked for a stream: the door's SSE frames as the
// committed attempt's events arrive. Before the commit point a failure keeps
// its HTTP status, unless keep-alives had to start (then it comes in-band);
// after it, a failure ends the stream with one in-band error.
import type { FrameSource, Reply } from '../api/reply.ts';
import { clientGone, type AttemptsResult } from '../routing/attempt-loop.ts';
import { endAttempt, learnFromSuccess, nextEvent, servedByHeaders } from './committed.ts';
import type { GatewayDeps } from './deps.ts';
import { failedBeforeCommit } from './deliver-json.ts';
import type { Door } from './door.ts';
import { billed, countUnreported, generationMeta, observe, replyView, type Generation } from './generation.ts';
import { finishAfterReply } from './settle.ts';
import { stoppedBy } from './stopping.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

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
    generation.attempts = early.attempts;
    return failedBeforeCommit(door, generation, stoppedBy(signal) ?? early.error, headers, deps, signal);
  }
  const frames = sseFrames(door, generation, early, attempts, signal, deps);
  const source: FrameSource = {
    frames,
    cancel: async () => {
      generation.cancelled = true;
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
  let result = early;
  // Read once per event: a flag set by the event, not the signal's getter
  // (a combined signal's `aborted` consults its sources every time).
  let aborted = signal.aborted;
  const onAbort = (): void => {
    aborted = true;
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Still waiting once the 200 goes out: a comment at once, then one per
    // interval, so the client (and any proxy) sees bytes, not a silent 200.
    while (result === undefined) {
      yield door.keepAliveFrame;
      result = await firstOf(attempts, deps.settings.keepAlive.intervalMs);
    }
    generation.attempts = result.attempts;
    if (result.kind === 'failed') {
      // Keep-alives already committed a 200: the failure goes in-band.
      const error = stoppedBy(signal) ?? result.error;
      generation.error = error;
      generation.finishReason = 'error';
      const encoder = door.streamEncoder(generationMeta(generation, result.attempts.at(-1)?.endpoint), { includeReasoning: false });
      yield encoder.open() + encoder.fail(error);
      return;
    }
    generation.endpoint = result.endpoint;
    const encoder = door.streamEncoder(generationMeta(generation), replyView(generation));
    generation.firstByteAt = deps.now();
    let frame = encoder.open();
    for (const event of result.head) {
      observe(generation, event);
      frame += encoder.encode(event);
    }
    if (frame !== '') yield frame;
    while (generation.finishReason === null) {
      let event = await nextEvent(result.rest, result.endpoint);
      if (event === undefined) break;
      if (aborted) {
        // The gateway is stopping: the client is still there and gets the in-band error, as for a cut-off upstream.
        const stopping = stoppedBy(signal);
        if (stopping === undefined) throw clientGone();
        event = { type: 'error', error: stopping };
      }
      observe(generation, event);
      frame = event.type === 'error' ? encoder.fail(event.error) : encoder.encode(event);
      if (frame !== '') yield frame;
    }
    if (generation.finishReason !== 'error') {
      await countUnreported(generation, deps.tokenCounters);
      yield encoder.close(billed(generation));
      learnFromSuccess(generation, result, deps);
    }
  } catch (error) {
    if (signal.aborted || generation.cancelled) generation.cancelled = true;
    else deps.log({ level: 'error', message: 'stream failed', generation: generation.id, error: String(error) });
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (result?.kind === 'committed') endAttempt(generation, result);
    if (generation.cancelled) generation.status = 499;
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
