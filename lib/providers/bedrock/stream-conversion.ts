// ConverseStream events as canonical stream events: a pure state machine
// (`streamConversion`) over decoded event-stream messages; lib/providers/
// upstream-stream.ts drives it. Bedrock's order is messageStart, content
// blocks (text blocks get no contentBlockStart, tool use blocks do),
// messageStop (stopReason), then metadata (usage). The one `finish` goes out
// once both stop reason and usage are in, or at the end of the stream when
// metadata never came.
import type { ReasoningFormat, StreamEvent, Usage } from '../../streaming/events.ts';
import { malformedReply } from '../upstream-http.ts';
import type { ConversionContext, StreamConversion, StreamStep } from '../upstream-stream.ts';
import { mapStreamError } from './error-mapping.ts';
import { convertFinishReason } from './finish-reason.ts';
import { parseStreamEvent, type ContentBlockDelta, type ConverseStreamEvent, type EventStreamMessage } from './wire-schemas.ts';
import { convertUsage } from './usage.ts';

export interface BedrockConversionContext extends ConversionContext {
  /** The format reasoning of this model is in (`anthropic-claude-v1` for Claude). */
  reasoningFormat: ReasoningFormat;
  /** Bedrock's request id, reported in the `start` event. */
  upstreamId?: string;
}

type Block =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'reasoning'; block: number }
  /** Server-side tool use and its results: Bedrock ran them, the caller has nothing to do. */
  | { kind: 'ignored' };

interface Blocks {
  byIndex: Readonly<Record<number, Block>>;
  toolCount: number;
  reasoningCount: number;
}

export type StreamState =
  | ({ phase: 'open'; usage: Usage | undefined } & Blocks)
  | ({ phase: 'stopped'; stopReason: string } & Blocks)
  | { phase: 'closed' };

type Live = Exclude<StreamState, { phase: 'closed' }>;
type Step = StreamStep<StreamState>;

const closed: StreamState = { phase: 'closed' };

export const streamConversion: StreamConversion<EventStreamMessage, StreamState, BedrockConversionContext> = {
  initial: () => ({ phase: 'open', usage: undefined, byIndex: {}, toolCount: 0, reasoningCount: 0 }),
  step: (state, message, context) => (state.phase === 'closed' ? { state, events: [] } : stepEvent(state, parseStreamEvent(message), context)),
  end(state, context) {
    switch (state.phase) {
      case 'closed':
        return [];
      case 'stopped':
        return finish(state.stopReason, undefined).events;
      case 'open':
        return fail(malformedReply(context.provider, 'a stream that ended before the response finished')).events;
    }
  },
};

function finish(stopReason: string, usage: Usage | undefined): Step {
  return { state: closed, events: [{ type: 'finish', reason: convertFinishReason(stopReason), nativeReason: stopReason, usage }] };
}

function fail(error: Extract<StreamEvent, { type: 'error' }>['error']): Step {
  return { state: closed, events: [{ type: 'error', error }] };
}

const withBlock = (state: Live, index: number, block: Block): Live => ({ ...state, byIndex: { ...state.byIndex, [index]: block } });

function stepEvent(state: Live, event: ConverseStreamEvent, context: BedrockConversionContext): Step {
  switch (event.type) {
    case 'messageStart':
      return { state, events: [context.upstreamId === undefined ? { type: 'start' } : { type: 'start', upstreamId: context.upstreamId }] };
    case 'contentBlockStart': {
      if (event.toolUse === undefined || event.toolUse.serverSide) return { state: withBlock(state, event.index, { kind: 'ignored' }), events: [] };
      const toolIndex = state.toolCount;
      return {
        state: { ...withBlock(state, event.index, { kind: 'tool', toolIndex, sentArguments: false }), toolCount: toolIndex + 1 },
        events: [{ type: 'tool-call-start', index: toolIndex, id: event.toolUse.id, name: event.toolUse.name }],
      };
    }
    case 'contentBlockDelta':
      return applyDelta(state, event.index, event.delta, context.reasoningFormat);
    case 'contentBlockStop': {
      const block = state.byIndex[event.index];
      // A tool called without arguments gets no input delta; OpenAI clients expect "{}".
      if (block?.kind !== 'tool' || block.sentArguments) return { state, events: [] };
      return {
        state: withBlock(state, event.index, { ...block, sentArguments: true }),
        events: [{ type: 'tool-call-delta', index: block.toolIndex, arguments: '{}' }],
      };
    }
    case 'messageStop':
      if (state.phase !== 'open') return { state, events: [] };
      if (state.usage !== undefined) return finish(event.stopReason, state.usage);
      return { state: { phase: 'stopped', stopReason: event.stopReason, byIndex: state.byIndex, toolCount: state.toolCount, reasoningCount: state.reasoningCount }, events: [] };
    case 'metadata': {
      const usage = event.usage === undefined ? undefined : convertUsage(event.usage);
      if (state.phase === 'stopped') return finish(state.stopReason, usage);
      return { state: { ...state, usage }, events: [] };
    }
    case 'exception':
      return fail(mapStreamError(event.name, event.message, context.provider));
    case 'malformed':
      return fail(malformedReply(context.provider, `a malformed ${event.name} event`));
    case 'unknown':
      return { state, events: [] };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled stream event ${JSON.stringify(unhandled)}`);
    }
  }
}

function applyDelta(initial: Live, index: number, content: ContentBlockDelta, format: ReasoningFormat): Step {
  let state = initial;
  const block = state.byIndex[index];
  if (block?.kind === 'ignored') return { state, events: [] };
  const events: StreamEvent[] = [];
  if (content.text != null && content.text !== '') {
    if (block === undefined) state = withBlock(state, index, { kind: 'text' });
    events.push({ type: 'text', text: content.text });
  }
  const input = content.toolUse?.input;
  if (input != null && input !== '' && block?.kind === 'tool') {
    if (!block.sentArguments) state = withBlock(state, index, { ...block, sentArguments: true });
    events.push({ type: 'tool-call-delta', index: block.toolIndex, arguments: input });
  }
  const reasoning = content.reasoningContent;
  if (reasoning != null) {
    const reasoningBlock = (): number => {
      const current = state.byIndex[index];
      if (current?.kind === 'reasoning') return current.block;
      const created = state.reasoningCount;
      state = { ...withBlock(state, index, { kind: 'reasoning', block: created }), reasoningCount: created + 1 };
      return created;
    };
    if (reasoning.text != null && reasoning.text !== '') events.push({ type: 'reasoning', text: reasoning.text, format, block: reasoningBlock() });
    if (reasoning.signature != null && reasoning.signature !== '') {
      events.push({ type: 'reasoning-signature', signature: reasoning.signature, format, block: reasoningBlock() });
    }
    if (reasoning.redactedContent != null && reasoning.redactedContent !== '') {
      events.push({ type: 'reasoning-encrypted', data: reasoning.redactedContent, format, block: reasoningBlock() });
    }
  }
  return { state, events };
}
