// Plays a reply's frames as a body stream: paced like a model (first token
// after `firstTokenMs`, then `tokensPerSecond`), cut short by a failure, and
// reporting how it ended exactly once.

/** One SSE frame (or JSON slice) of a reply, as the wire writes it. */
export interface StreamFrame {
  text: string;
  /** Output tokens it delivers: pacing and the failure cut-off count these. */
  tokens: number;
}

/** A reply as frames: before the first token, the tokens, and after the last. */
export interface StreamScript {
  opening: readonly StreamFrame[];
  content: readonly StreamFrame[];
  closing: readonly StreamFrame[];
}

export interface Pacing {
  firstTokenMs: number;
  /** 0: no delay between tokens. */
  tokensPerSecond: number;
}

export type ReplyOutcome = 'completed' | 'aborted' | 'failed';

/** A stream failure, in the frames the wire writes for it. */
export type StreamFailure =
  | { mode: 'drop'; afterTokens: number }
  | { mode: 'malformed'; afterTokens: number; frame: string }
  | { mode: 'error-event'; frame: string };

export interface PlannedStream {
  frames: readonly StreamFrame[];
  /** `error` fails the body stream after the last frame: the server then cuts the connection. */
  ending: 'close' | 'error';
  /** How the reply counts once every frame is out. */
  outcome: 'completed' | 'failed';
}

export function planStream(script: StreamScript, failure: StreamFailure | undefined): PlannedStream {
  if (failure === undefined) {
    return { frames: [...script.opening, ...script.content, ...script.closing], ending: 'close', outcome: 'completed' };
  }
  switch (failure.mode) {
    case 'error-event':
      return { frames: [{ text: failure.frame, tokens: 0 }], ending: 'close', outcome: 'failed' };
    case 'drop':
      return { frames: [...script.opening, ...firstTokens(script.content, failure.afterTokens)], ending: 'error', outcome: 'failed' };
    case 'malformed':
      return {
        frames: [...script.opening, ...firstTokens(script.content, failure.afterTokens), { text: failure.frame, tokens: 1 }],
        ending: 'close',
        outcome: 'failed',
      };
  }
}

/** The content frames that deliver at most `limit` tokens. */
function firstTokens(content: readonly StreamFrame[], limit: number): StreamFrame[] {
  const kept: StreamFrame[] = [];
  let delivered = 0;
  for (const frame of content) {
    if (delivered + frame.tokens > limit) break;
    kept.push(frame);
    delivered += frame.tokens;
  }
  return kept;
}

/**
 * Milliseconds to wait before each frame. Token n (0-based) is due at
 * firstTokenMs + n / tokensPerSecond; a frame goes out when its last token is
 * due, frames without tokens go with the one before them (or, before any
 * token, at firstTokenMs: a real provider's preamble comes with its first token).
 */
export function frameDelays(frames: readonly StreamFrame[], pacing: Pacing): number[] {
  const interval = pacing.tokensPerSecond > 0 ? 1000 / pacing.tokensPerSecond : 0;
  let tokensSoFar = 0;
  let previousDue = 0;
  return frames.map((frame) => {
    let due = previousDue;
    if (frame.tokens > 0) {
      due = pacing.firstTokenMs + (tokensSoFar + frame.tokens - 1) * interval;
      tokensSoFar += frame.tokens;
    } else if (tokensSoFar === 0) {
      due = pacing.firstTokenMs;
    }
    const delay = Math.max(0, due - previousDue);
    previousDue = Math.max(previousDue, due);
    return delay;
  });
}

/** The whole reply's duration: what a JSON reply waits before it is sent. */
export function replyDuration(tokens: number, pacing: Pacing): number {
  const interval = pacing.tokensPerSecond > 0 ? 1000 / pacing.tokensPerSecond : 0;
  return pacing.firstTokenMs + Math.max(0, tokens - 1) * interval;
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** setTimeout, cut short (resolving) when the signal aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Sleeps, whether the injected sleep resolves or rejects on abort; true when the signal aborted. */
export async function pause(sleep: Sleep, ms: number, signal: AbortSignal, options: { always?: boolean } = {}): Promise<boolean> {
  if ((ms > 0 || options.always === true) && !signal.aborted) {
    try {
      await sleep(ms, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
  return signal.aborted;
}

export interface PlayOptions {
  pacing: Pacing;
  sleep: Sleep;
  /** The request's signal: the client went away. */
  signal: AbortSignal;
  /** Called once, when the stream completed, failed, or was abandoned. */
  settle: (outcome: ReplyOutcome) => void;
}

/** The planned stream as a body. Pull-driven: a frame is produced when the reader wants one. */
export function playStream(plan: PlannedStream, options: PlayOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // The cut comes when the next token was due, as a stalled generation would end.
  const delays = frameDelays([...plan.frames, { text: '', tokens: 1 }], options.pacing);
  // Aborts on the client's signal or on cancel(); sleeps listen to it.
  const stop = new AbortController();
  const onClientGone = (): void => {
    stop.abort();
    finish('aborted');
  };
  let finished = false;
  const finish = (outcome: ReplyOutcome): void => {
    if (finished) return;
    finished = true;
    options.signal.removeEventListener('abort', onClientGone);
    options.settle(outcome);
  };
  if (options.signal.aborted) onClientGone();
  else options.signal.addEventListener('abort', onClientGone, { once: true });
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const frame = plan.frames[next];
        if (frame === undefined) {
          // The reader took the last frame: end the way the plan says.
          if (plan.ending === 'close') {
            finish(plan.outcome);
            controller.close();
            return;
          }
          // Never cut in the same tick as the last write: node:http flushes
          // writes on the next tick, and a cut before it loses the tokens the
          // drop promised. So the sleep runs even for 0 ms.
          if (await pause(options.sleep, delays[next] ?? 0, stop.signal, { always: true })) {
            finish('aborted');
            controller.error(new Error('The client went away'));
            return;
          }
          finish(plan.outcome);
          controller.error(new Error('Simulated connection drop'));
          return;
        }
        const aborted = await pause(options.sleep, delays[next] ?? 0, stop.signal);
        if (aborted) {
          finish('aborted');
          controller.error(new Error('The client went away'));
          return;
        }
        controller.enqueue(encoder.encode(frame.text));
        next++;
        if (next === plan.frames.length && plan.ending === 'close') {
          finish(plan.outcome);
          controller.close();
        }
      },
      cancel() {
        stop.abort();
        finish('aborted');
      },
    },
    { highWaterMark: 0 },
  );
}
