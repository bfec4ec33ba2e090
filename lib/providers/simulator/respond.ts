// Turns a planned reply and the chosen failure into the HTTP response the
// real provider would send (or fail to send).
import type { SimulatorBehaviour } from '../../catalog/schema.ts';
import type { SimulatedFailure } from './behaviour.ts';
import { pause, planStream, playStream, replyDuration, type PlannedStream, type ReplyOutcome, type Sleep, type StreamFailure } from './paced-stream.ts';
import type { ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';
import type { ErrorDetails, ReplyContext, SimulatorWire } from './wire.ts';

/** The failures that happen inside a 200 reply's body. */
type BodyFailure = Exclude<SimulatedFailure, { mode: 'status' | 'stall' }>;

export interface ReplyInput {
  wire: SimulatorWire;
  request: SimulatedRequest;
  plan: ReplyPlan;
  behaviour: SimulatorBehaviour;
  failure: SimulatedFailure | undefined;
  context: ReplyContext;
  signal: AbortSignal;
  sleep: Sleep;
  settle: (outcome: ReplyOutcome) => void;
}

export async function respond(input: ReplyInput): Promise<Response> {
  const { failure, wire, context } = input;
  switch (failure?.mode) {
    case 'status':
      input.settle('failed');
      return errorResponse(wire, failure.status, context, { retryAfterSeconds: failure.retryAfterSeconds });
    case 'stall':
      // Accepts the connection and never answers: the caller's timeout must fire.
      await untilAborted(input.signal);
      input.settle('aborted');
      return clientClosedResponse();
    case undefined:
    case 'drop':
    case 'malformed':
    case 'error-event':
      return input.request.stream ? streamResponse(input, failure) : jsonResponse(input, failure);
  }
}

export function errorResponse(wire: SimulatorWire, status: number, context: ReplyContext, details: ErrorDetails = {}): Response {
  const headers: Record<string, string> = { 'content-type': wire.jsonContentType, ...wire.responseHeaders(context) };
  if (details.retryAfterSeconds !== undefined) headers['retry-after'] = String(details.retryAfterSeconds);
  return new Response(wire.errorBody(status, context, details), { status, headers });
}

function streamResponse(input: ReplyInput, failure: BodyFailure | undefined): Response {
  const { wire, plan, request, context } = input;
  const script = wire.streamScript(plan, request, context);
  const planned = planStream(script, streamFailure(input, failure));
  return bodyResponse(input, planned, wire.streamContentType, { 'cache-control': 'no-cache' });
}

function streamFailure(input: ReplyInput, failure: BodyFailure | undefined): StreamFailure | undefined {
  switch (failure?.mode) {
    case undefined:
      return undefined;
    case 'drop':
      return failure;
    case 'malformed':
      return { ...failure, frame: input.wire.malformedFrame(input.plan, input.request, input.context) };
    case 'error-event':
      return { mode: 'error-event', frame: input.wire.errorEvent(input.context).frame };
  }
}

/**
 * A JSON reply arrives when the whole generation would have finished. Its
 * failures: `drop` sends half the body and cuts the connection, `malformed`
 * sends half the body and ends cleanly, `error-event` answers 200 with the
 * wire's error body (as some OpenAI-compatible servers do).
 */
async function jsonResponse(input: ReplyInput, failure: BodyFailure | undefined): Promise<Response> {
  const { wire, plan, request, context, behaviour } = input;
  if (await pause(input.sleep, replyDuration(plan.completionTokens, behaviour), input.signal)) {
    input.settle('aborted');
    return clientClosedResponse();
  }
  const body = failure?.mode === 'error-event' ? wire.errorEvent(context).body : wire.jsonBody(plan, request, context);
  const half = body.slice(0, Math.floor(body.length / 2));
  const planned: PlannedStream =
    failure === undefined
      ? { frames: [{ text: body, tokens: 0 }], ending: 'close', outcome: 'completed' }
      : failure.mode === 'error-event'
        ? { frames: [{ text: body, tokens: 0 }], ending: 'close', outcome: 'failed' }
        : { frames: [{ text: half, tokens: 0 }], ending: failure.mode === 'drop' ? 'error' : 'close', outcome: 'failed' };
  return bodyResponse({ ...input, behaviour: { ...behaviour, firstTokenMs: 0, tokensPerSecond: 0 } }, planned, wire.jsonContentType, {});
}

function bodyResponse(input: ReplyInput, planned: PlannedStream, contentType: string, extraHeaders: Record<string, string>): Response {
  const body = playStream(planned, {
    pacing: { firstTokenMs: input.behaviour.firstTokenMs, tokensPerSecond: input.behaviour.tokensPerSecond },
    sleep: input.sleep,
    signal: input.signal,
    settle: input.settle,
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': contentType, ...input.wire.responseHeaders(input.context), ...extraHeaders },
  });
}

/** nginx's 499: what the simulator answers once the client has already gone. */
export function clientClosedResponse(): Response {
  return new Response(null, { status: 499 });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
