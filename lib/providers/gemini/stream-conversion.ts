// Gemini stream chunks → canonical stream events, as a pure state machine
// (`streamConversion`): each SSE message is a whole GenerateContentResponse
// (Gemini repeats the envelope on every event); lib/providers/upstream-stream.ts
// drives it.
//
// Gemini quirks handled here: thoughts are text parts flagged `thought`; a
// `thoughtSignature` may sit on any part and closes the reasoning before it;
// function calls arrive whole and without ids (we make `call_<n>` ones),
// except on Vertex AI with streamed arguments, where a named call with
// `willContinue` is followed by `partialArgs` fragments and closed by an
// empty `functionCall`; `finishReason` comes on the last chunk only, and
// there is no end marker, so a body that ends without one was cut off.
import type { StreamEvent, Usage } from '../../streaming/events.ts';
import type { SseMessage } from '../../streaming/sse-decode.ts';
import { malformedReply } from '../upstream-http.ts';
import type { ConversionContext, StreamConversion, StreamStep } from '../upstream-stream.ts';
import { mapStreamError } from './error-mapping.ts';
import { convertFinishReason } from './finish-reason.ts';
import { applyPartialArgument } from './partial-arguments.ts';
import { generateContentResponse, type GeminiResponsePart, type GenerateContentResponse } from './wire-schemas.ts';
import { geminiReasoningFormat } from './thought-signatures.ts';
import { convertUsage } from './usage.ts';

const format = geminiReasoningFormat;

/** What is open between parts. */
type OpenItem =
  | { kind: 'nothing' }
  | { kind: 'reasoning'; block: number }
  | { kind: 'streamed-call'; index: number; args: Record<string, unknown> };

export type StreamState =
  | {
      phase: 'receiving';
      open: OpenItem;
      started: boolean;
      nextBlock: number;
      toolCalls: number;
      usage: Usage | undefined;
      /** The native finish reason, once a chunk carried one. */
      finish: { native: string; promptBlocked: boolean } | undefined;
    }
  /** A finish or an error was emitted: nothing more. */
  | { phase: 'done' };

type PartKind = 'thought' | 'text' | 'function-call' | 'call-fragment' | 'call-end' | 'other';

const done: StreamState = { phase: 'done' };

/** Each SSE message is a whole GenerateContentResponse; an empty one or `[DONE]` carries nothing. */
export const streamConversion: StreamConversion<SseMessage, StreamState> = {
  initial: () => ({ phase: 'receiving', open: { kind: 'nothing' }, started: false, nextBlock: 0, toolCalls: 0, usage: undefined, finish: undefined }),
  step(state, message, context) {
    if (state.phase === 'done') return { state, events: [] };
    const data = message.data.trim();
    if (data === '' || data === '[DONE]') return { state, events: [] };
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (error) {
      return fail(malformedReply(context.provider, 'a chunk that is not JSON', error));
    }
    const chunk = generateContentResponse.safeParse(json);
    return chunk.success ? stepChunk(state, chunk.data, context) : fail(malformedReply(context.provider, 'a malformed chunk', chunk.error));
  },
  end: (state, context) => endOfStream(state, context),
};

/** One parsed chunk (a stream's, or an element of a JSON reply's array). */
export function stepChunk(state: StreamState, chunk: GenerateContentResponse, { provider }: ConversionContext): StreamStep<StreamState> {
  if (state.phase === 'done') return { state, events: [] };
  if (chunk.error != null) return fail(mapStreamError(chunk.error, provider));
  // A copy, filled in place: the caller's state is never changed.
  const s: Receiving = { ...state, open: state.open.kind === 'streamed-call' ? { ...state.open, args: structuredClone(state.open.args) } : state.open };
  const events: StreamEvent[] = [];
  if (!s.started) {
    s.started = true;
    events.push(chunk.responseId != null ? { type: 'start', upstreamId: chunk.responseId } : { type: 'start' });
  }
  s.usage = convertUsage(chunk.usageMetadata) ?? s.usage;
  const candidates = chunk.candidates ?? [];
  const candidate = candidates.find((entry) => (entry.index ?? 0) === 0) ?? candidates[0];
  for (const part of candidate?.content?.parts ?? []) events.push(...partEvents(s, part));
  if (candidate?.finishReason != null) {
    s.finish = { native: candidate.finishReason, promptBlocked: false };
  } else if (candidates.length === 0 && chunk.promptFeedback?.blockReason != null) {
    s.finish = { native: chunk.promptFeedback.blockReason, promptBlocked: true };
  }
  return { state: s, events };
}

/** The events that close the stream: one `finish`, or an `error` if it was cut off (Gemini has no end marker). */
export function endOfStream(state: StreamState, { provider }: ConversionContext): StreamEvent[] {
  switch (state.phase) {
    case 'done':
      return [];
    case 'receiving': {
      const s: Receiving = { ...state };
      const events = closeOpen(s);
      if (s.finish === undefined) return [...events, ...fail(malformedReply(provider, 'a stream that ended without a finish reason')).events];
      const reason = s.finish.promptBlocked ? 'content_filter' : convertFinishReason(s.finish.native, s.toolCalls > 0);
      return [...events, { type: 'finish', reason, nativeReason: s.finish.native, usage: s.usage }];
    }
  }
}

function fail(error: Parameters<typeof errorEvent>[0]): StreamStep<StreamState> {
  return { state: done, events: [errorEvent(error)] };
}

function errorEvent(error: Extract<StreamEvent, { type: 'error' }>['error']): StreamEvent {
  return { type: 'error', error };
}

type Receiving = Extract<StreamState, { phase: 'receiving' }>;

function classify(part: GeminiResponsePart, open: OpenItem): PartKind {
  const call = part.functionCall;
  if (call != null) {
    if (call.name != null && call.name !== '') return 'function-call';
    if (open.kind !== 'streamed-call') return 'other';
    if ((call.partialArgs?.length ?? 0) > 0 || call.args != null) return 'call-fragment';
    // `{willContinue: true}` alone separates fragments; `{}` ends the call.
    return call.willContinue === true ? 'other' : 'call-end';
  }
  if (part.thought === true) return 'thought';
  if (part.text != null) return 'text';
  return 'other';
}

function partEvents(s: Receiving, part: GeminiResponsePart): StreamEvent[] {
  const kind = classify(part, s.open);
  const events: StreamEvent[] = [];
  switch (kind) {
    case 'thought': {
      if (s.open.kind !== 'reasoning') {
        events.push(...closeOpen(s));
        s.open = { kind: 'reasoning', block: s.nextBlock++ };
      }
      const block = s.open.block;
      if (part.text != null && part.text !== '') events.push({ type: 'reasoning', text: part.text, format, block });
      // A signature on a thought closes that thought's block.
      if (part.thoughtSignature != null) events.push(...signature(s, part.thoughtSignature));
      return events;
    }
    case 'text':
      events.push(...closeOpen(s, part.thoughtSignature));
      if (part.text != null && part.text !== '') events.push({ type: 'text', text: part.text });
      return events;
    case 'function-call': {
      events.push(...closeOpen(s, part.thoughtSignature));
      const call = part.functionCall as NonNullable<GeminiResponsePart['functionCall']>;
      const index = s.toolCalls++;
      events.push({ type: 'tool-call-start', index, id: call.id ?? `call_${index}`, name: call.name as string });
      if (call.willContinue === true && call.args == null) {
        s.open = { kind: 'streamed-call', index, args: {} };
      } else {
        events.push({ type: 'tool-call-delta', index, arguments: JSON.stringify(call.args ?? {}) });
      }
      return events;
    }
    case 'call-fragment': {
      const call = part.functionCall as NonNullable<GeminiResponsePart['functionCall']>;
      if (s.open.kind === 'streamed-call') {
        Object.assign(s.open.args, call.args ?? {});
        for (const fragment of call.partialArgs ?? []) applyPartialArgument(s.open.args, fragment);
      }
      return events;
    }
    case 'call-end':
      return closeOpen(s, part.thoughtSignature);
    case 'other':
      // Parts we do not translate (inline images, code execution) may still carry a signature.
      if (part.thoughtSignature != null) events.push(...closeOpen(s, part.thoughtSignature));
      return events;
  }
}

function signature(s: Receiving, value: string): StreamEvent[] {
  // A signature with no thought text before it gets a block of its own.
  const block = s.open.kind === 'reasoning' ? s.open.block : s.nextBlock++;
  s.open = { kind: 'nothing' };
  return [{ type: 'reasoning-signature', signature: value, format, block }];
}

/** Close whatever is open; a signature on the part that closes it is emitted first. */
function closeOpen(s: Receiving, thoughtSignature?: string | null): StreamEvent[] {
  const events: StreamEvent[] = [];
  const open = s.open;
  switch (open.kind) {
    case 'nothing':
    case 'reasoning':
      break;
    case 'streamed-call':
      events.push({ type: 'tool-call-delta', index: open.index, arguments: JSON.stringify(open.args) });
      s.open = { kind: 'nothing' };
      break;
  }
  if (thoughtSignature != null && thoughtSignature !== '') events.push(...signature(s, thoughtSignature));
  else if (s.open.kind === 'reasoning') s.open = { kind: 'nothing' };
  return events;
}
