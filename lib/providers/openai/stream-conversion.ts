// Chat Completions stream chunks → canonical stream events, as a pure state
// machine (`streamConversion`): each step takes one decoded SSE message and
// returns the next state and the events it produced; `end` closes the body.
// No I/O: lib/providers/upstream-stream.ts drives it.
//
// OpenAI sends the finish reason on the last choice chunk and, with
// `stream_options.include_usage`, the usage on one more chunk whose `choices`
// is empty; other hosts put usage on the finish chunk (Together, vLLM), under
// `x_groq` (Groq) or nowhere. So the finish reason is held until the usage
// chunk, `[DONE]` or the end of the body, and exactly one `finish` is emitted.
import type { GatewayError } from '../../api/errors.ts';
import type { FinishReason, StreamEvent, Usage } from '../../streaming/events.ts';
import type { SseMessage } from '../../streaming/sse-decode.ts';
import { malformedReply } from '../upstream-http.ts';
import type { StreamConversion, StreamStep as Step } from '../upstream-stream.ts';
import { mapStreamError } from './error-mapping.ts';
import { splitContent } from './content-parts.ts';
import { convertFinishReason } from './finish-reason.ts';
import { parseJson, upstreamChunk, type UpstreamChunk, type UpstreamToolCallDelta } from './wire-schemas.ts';
import { convertUsage, type OpenaiConversionContext } from './usage.ts';

/** A tool call seen so far; its position in `toolCalls` is its canonical index. */
interface ToolCallSlot {
  upstreamIndex: number | undefined;
  id: string;
}

interface Progress {
  /** Whether a content event went out: after one, a failure is no longer safe to retry here. */
  contentSeen: boolean;
  toolCalls: readonly ToolCallSlot[];
  /** The latest usage the host reported, if any. */
  usage: Usage | undefined;
}

export type StreamState =
  /** Nothing received yet: the first chunk produces `start`. */
  | { phase: 'idle' }
  | ({ phase: 'streaming' } & Progress)
  /** A finish reason arrived; waiting for the usage chunk or the end. */
  | ({ phase: 'finishing'; reason: FinishReason; nativeReason: string } & Progress)
  /** `finish` or `error` went out; everything after is ignored. */
  | { phase: 'closed' };

type StreamStep = Step<StreamState>;

export const streamConversion: StreamConversion<SseMessage, StreamState, OpenaiConversionContext> = {
  initial: () => ({ phase: 'idle' }),
  step: (state, message, context) => step(state, message.data, context),
  end: (state, context) => (state.phase === 'closed' ? [] : endOfStream(state, progressOf(state), context.provider).events),
};

const progressOf = (state: Exclude<StreamState, { phase: 'closed' }>): Progress =>
  state.phase === 'idle' ? { contentSeen: false, toolCalls: [], usage: undefined } : state;

function step(state: StreamState, data: string, { provider, usageCounting }: OpenaiConversionContext): StreamStep {
  switch (state.phase) {
    case 'closed':
      return { state, events: [] };
    case 'idle':
    case 'streaming':
    case 'finishing':
      break;
  }
  const progress = progressOf(state);
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return endOfStream(state, progress, provider);
  // Keep-alive frames with an empty payload carry nothing.
  if (trimmed === '') return { state, events: [] };

  const json = parseJson(data);
  // Almost every frame is one choice with a text delta: checked by hand, the
  // full lenient schema is kept for everything else.
  const plain = json.ok ? plainTextDelta(json.value) : undefined;
  if (plain !== undefined && state.phase === 'streaming') {
    // Mid-stream, such a frame changes nothing but the text: the state stays.
    if (plain.content === undefined) return { state, events: [] };
    return { state: state.contentSeen ? state : { ...state, contentSeen: true }, events: [{ type: 'text', text: plain.content }] };
  }
  const parsed = plain !== undefined ? { success: true as const, data: chunkOf(plain) } : json.ok ? upstreamChunk.safeParse(json.value) : undefined;
  if (parsed === undefined || !parsed.success) {
    // The frame itself is never echoed: it may hold generated text.
    return fail(upstreamFault('a malformed stream frame', progress, provider));
  }
  const chunk = parsed.data;
  if (chunk.error != null) return fail(mapStreamError(chunk.error, provider));
  return applyChunk(state, progress, chunk, usageCounting);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface PlainTextDelta {
  id: string | undefined;
  fingerprint: string | undefined;
  /** Undefined when the delta is empty (or carries only `role`). */
  content: string | undefined;
}

/**
 * The chunk's parts, when it is the common shape: one choice whose delta
 * carries at most `role` and a string `content`, no finish reason, no usage,
 * no error. Anything else returns undefined and goes through `upstreamChunk`.
 */
function plainTextDelta(value: unknown): PlainTextDelta | undefined {
  if (!isRecord(value) || value.error != null || value.usage != null || value.x_groq != null) return undefined;
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice) || choice.finish_reason != null) return undefined;
  const index = choice.index ?? 0;
  const delta = choice.delta;
  if (index !== 0 || !isRecord(delta)) return undefined;
  for (const key in delta) {
    if (key === 'content' ? typeof delta[key] !== 'string' && delta[key] !== null : key !== 'role' && delta[key] != null) return undefined;
  }
  return {
    id: typeof value.id === 'string' ? value.id : undefined,
    fingerprint: typeof value.system_fingerprint === 'string' ? value.system_fingerprint : undefined,
    content: typeof delta.content === 'string' && delta.content !== '' ? delta.content : undefined,
  };
}

function chunkOf(plain: PlainTextDelta): UpstreamChunk {
  return { id: plain.id, system_fingerprint: plain.fingerprint, choices: [{ index: 0, delta: { content: plain.content } }] };
}

function applyChunk(state: Exclude<StreamState, { phase: 'closed' }>, progress: Progress, chunk: UpstreamChunk, usageCounting: OpenaiConversionContext['usageCounting']): StreamStep {
  const events: StreamEvent[] = [];
  // Azure OpenAI opens with the prompt's content-filter results: no choices, no usage, an empty id. The reply starts after it.
  if (state.phase === 'idle' && (chunk.choices ?? []).length === 0 && chunk.usage == null && (chunk.id == null || chunk.id === '')) {
    return { state, events };
  }
  if (state.phase === 'idle') {
    const start: StreamEvent = { type: 'start' };
    if (chunk.id != null) start.upstreamId = chunk.id;
    if (chunk.system_fingerprint != null) start.systemFingerprint = chunk.system_fingerprint;
    events.push(start);
  }
  const reportedUsage = chunk.usage ?? chunk.x_groq?.usage;
  const usage = reportedUsage != null ? convertUsage(reportedUsage, usageCounting) : progress.usage;
  const choices = chunk.choices ?? [];
  // The gateway relays one choice; hosts that omit `index` send only that one.
  const choice = choices.find((candidate) => (candidate.index ?? 0) === 0);

  let toolCalls = progress.toolCalls;
  const delta = choice?.delta;
  if (delta != null) {
    const parts = splitContent(delta.content);
    const reasoning = nonEmpty(delta.reasoning) ?? nonEmpty(delta.reasoning_content) ?? nonEmpty(parts.reasoning);
    if (reasoning !== undefined) events.push({ type: 'reasoning', text: reasoning, format: 'unknown', block: 0 });
    const text = nonEmpty(parts.text);
    if (text !== undefined) events.push({ type: 'text', text });
    const refusal = nonEmpty(delta.refusal);
    if (refusal !== undefined) events.push({ type: 'refusal', text: refusal });
    for (const toolCall of delta.tool_calls ?? []) toolCalls = applyToolCallDelta(toolCalls, toolCall, events);
  }
  const contentSeen = progress.contentSeen || events.some((event) => event.type !== 'start');
  const next: Progress = { contentSeen, toolCalls, usage };

  if (state.phase === 'finishing') {
    // OpenAI's include_usage chunk: no choices, the usage of the whole reply.
    if (choices.length === 0 && reportedUsage != null) {
      events.push({ type: 'finish', reason: state.reason, nativeReason: state.nativeReason, usage });
      return { state: { phase: 'closed' }, events };
    }
    return { state: { ...state, ...next }, events };
  }
  const nativeReason = choice?.finish_reason;
  if (nativeReason != null) {
    return { state: { phase: 'finishing', reason: convertFinishReason(nativeReason), nativeReason, ...next }, events };
  }
  return { state: { phase: 'streaming', ...next }, events };
}

function applyToolCallDelta(
  toolCalls: readonly ToolCallSlot[],
  delta: UpstreamToolCallDelta,
  events: StreamEvent[],
): readonly ToolCallSlot[] {
  let position = findSlot(toolCalls, delta);
  let slots = toolCalls;
  if (position === -1) {
    position = toolCalls.length;
    // Hosts that stream a call whole may leave out the id; the caller still needs one to answer it.
    const id = nonEmpty(delta.id) ?? `call_${position}`;
    slots = [...toolCalls, { upstreamIndex: delta.index ?? undefined, id }];
    events.push({ type: 'tool-call-start', index: position, id, name: delta.function?.name ?? '' });
  }
  const fragment = nonEmpty(delta.function?.arguments);
  if (fragment !== undefined) events.push({ type: 'tool-call-delta', index: position, arguments: fragment });
  return slots;
}

/** The slot a delta continues, or -1 when it opens a new call. */
function findSlot(toolCalls: readonly ToolCallSlot[], delta: UpstreamToolCallDelta): number {
  if (delta.index != null) return toolCalls.findIndex((slot) => slot.upstreamIndex === delta.index);
  if (delta.id != null && delta.id !== '') return toolCalls.findIndex((slot) => slot.id === delta.id);
  // Neither index nor id: a continuation of the latest call.
  return toolCalls.length - 1;
}

function endOfStream(state: Exclude<StreamState, { phase: 'closed' }>, progress: Progress, provider: string): StreamStep {
  switch (state.phase) {
    case 'finishing':
      return {
        state: { phase: 'closed' },
        events: [{ type: 'finish', reason: state.reason, nativeReason: state.nativeReason, usage: state.usage }],
      };
    case 'idle':
    case 'streaming':
      return fail(upstreamFault('a stream that ended before finishing', progress, provider));
  }
}

/**
 * A broken stream. Before any content another endpoint can still serve the
 * request; after it, the attempt loop must end the client's stream instead.
 */
function upstreamFault(what: string, progress: Progress, provider: string): GatewayError {
  return malformedReply(provider, what, undefined, !progress.contentSeen);
}

function fail(error: GatewayError): StreamStep {
  return { state: { phase: 'closed' }, events: [{ type: 'error', error }] };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value == null || value === '' ? undefined : value;
}
