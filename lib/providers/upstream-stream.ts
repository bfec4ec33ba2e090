// The one way an upstream reply becomes canonical events. A wire supplies a
// pure `StreamConversion` (state in, frame in → state out, events out: STYLE
// point 5) and, for a whole JSON reply, a `convertResponse`; the drivers here
// own the body: reading it, decoding frames (SSE, AWS event stream), the
// abort signal, a body that breaks off, and letting go of the connection.
// Every sequence they yield ends with exactly one `finish` or one `error`.
import { GatewayError } from '../api/errors.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { createSseDecoder, type SseMessage } from '../streaming/sse-decode.ts';
import type { UpstreamResponse } from './types.ts';
import { malformedReply, readJson, transportFailure } from './upstream-http.ts';

/** What a conversion knows besides its state: the provider's display name (for errors), and wire extras. */
export interface ConversionContext {
  provider: string;
}

export interface StreamStep<State> {
  state: State;
  events: StreamEvent[];
}

/**
 * Upstream frames → canonical events, as a pure state machine. After a step
 * whose last event is a `finish` or an `error` nothing more is fed.
 */
export interface StreamConversion<Frame, State, Context extends ConversionContext = ConversionContext> {
  initial(context: Context): State;
  step(state: State, frame: Frame, context: Context): StreamStep<State>;
  /** The body ended: a `finish`, or an `error` for a stream cut off before its end. */
  end(state: State, context: Context): StreamEvent[];
}

/** A whole (non-streamed) reply, already parsed as JSON → the events a stream of it would give. */
export type ResponseConversion<Context extends ConversionContext = ConversionContext> = (json: unknown, context: Context) => StreamEvent[];

/** Bytes → frames, synchronously: one network read often completes several frames, handled in one go. */
export interface FrameDecoder<Frame> {
  feed(bytes: Uint8Array): Frame[];
  /** The body ended: what the last bytes completed; throws when they leave a frame half done. */
  end(): Frame[];
}

export const sseFrames = (): FrameDecoder<SseMessage> => createSseDecoder();

const isTerminal = (events: readonly StreamEvent[]): boolean => {
  const last = events.at(-1);
  return last !== undefined && (last.type === 'finish' || last.type === 'error');
};

/** Feed frames to a conversion, then the end: a whole recorded stream (or a JSON array of chunks) at once. */
export function convertFrames<Frame, State, Context extends ConversionContext>(
  conversion: StreamConversion<Frame, State, Context>,
  frames: Iterable<Frame>,
  context: Context,
): StreamEvent[] {
  let state = conversion.initial(context);
  const events: StreamEvent[] = [];
  for (const frame of frames) {
    const step = conversion.step(state, frame, context);
    state = step.state;
    events.push(...step.events);
    if (isTerminal(step.events)) return events;
  }
  events.push(...conversion.end(state, context));
  return events;
}

export interface StreamReply<Frame, State, Context extends ConversionContext> {
  response: UpstreamResponse;
  decoder: FrameDecoder<Frame>;
  conversion: StreamConversion<Frame, State, Context>;
  context: Context;
  signal: AbortSignal;
}

/** A streamed reply's body → canonical events, as it arrives. */
export async function* streamReplyEvents<Frame, State, Context extends ConversionContext>(
  reply: StreamReply<Frame, State, Context>,
): AsyncGenerator<StreamEvent> {
  const { response, decoder, conversion, context, signal } = reply;
  if (response.body === null) {
    yield { type: 'error', error: malformedReply(context.provider, 'a stream with no body') };
    return;
  }
  let state = conversion.initial(context);
  const reader = response.body.getReader();
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        yield { type: 'error', error: transportFailure(error, signal, context.provider, 'read') };
        return;
      }
      let frames: Frame[];
      try {
        frames = read.done ? decoder.end() : decoder.feed(read.value);
      } catch (error) {
        yield { type: 'error', error: malformedReply(context.provider, 'a malformed stream', error) };
        return;
      }
      for (const frame of frames) {
        const step = conversion.step(state, frame, context);
        state = step.state;
        for (const event of step.events) yield event;
        if (isTerminal(step.events)) return;
      }
      if (read.done) break;
    }
    yield* conversion.end(state, context);
  } finally {
    // Stopped early (finished, failed, or the consumer left): free the connection.
    await reader.cancel().catch(() => undefined);
  }
}

/** A whole JSON reply → canonical events; a body that breaks off or is not JSON is one `error` event. */
export async function* jsonReplyEvents<Context extends ConversionContext>(
  response: UpstreamResponse,
  convertResponse: ResponseConversion<Context>,
  context: Context,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  let json: unknown;
  try {
    json = await readJson(response, signal, context.provider);
  } catch (error) {
    yield { type: 'error', error: error instanceof GatewayError ? error : malformedReply(context.provider, 'an unreadable reply', error) };
    return;
  }
  yield* convertResponse(json, context);
}

/** Whether a 2xx reply is a whole JSON body (a host that ignored `stream: true` answers with one). */
export function isJsonReply(response: UpstreamResponse): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/json');
}
