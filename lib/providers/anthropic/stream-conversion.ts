// Anthropic's Messages stream → canonical stream events: `streamConversion`
// is a pure state machine over decoded SSE messages (each parsed by the wire
// schema, then stepped); lib/providers/upstream-stream.ts drives it.
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { StreamEvent } from '../../streaming/events.ts';
import type { SseMessage } from '../../streaming/sse-decode.ts';
import { malformedReply } from '../upstream-http.ts';
import type { StreamConversion } from '../upstream-stream.ts';
import { mapStreamError } from './error-mapping.ts';
import { convertFinishReason } from './finish-reason.ts';
import { ANTHROPIC_REASONING_FORMAT } from './message-conversion.ts';
import { convertUsage, mergeUsage } from './usage.ts';
import { parseContentBlock, parseStreamEvent, type AnthropicStreamEvent, type AnthropicUsage, type ContentBlock } from './wire-schemas.ts';

const format = ANTHROPIC_REASONING_FORMAT;

/** What a content block (by its stream index) turned out to be. */
export type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking' }
  | { kind: 'redacted-thinking' }
  /** `toolIndex` counts client tool calls only; `initialInput` is the input given at block start, if any. */
  | { kind: 'tool-use'; toolIndex: number; initialInput: string; argumentsSent: boolean }
  /** Server tool use and results, and block types this gateway does not know. */
  | { kind: 'skipped' };

export type StreamState =
  | { phase: 'awaiting-message' }
  | {
      phase: 'streaming';
      /** The open message's id, as `message_start` gave it. */
      messageId: string | null;
      blocks: Readonly<Record<number, BlockState>>;
      toolCalls: number;
      usage: AnthropicUsage | undefined;
      stopReason: string | null;
    }
  /** A finish or an error was emitted: nothing follows. */
  | { phase: 'ended' };

type Streaming = Extract<StreamState, { phase: 'streaming' }>;

export interface StepResult {
  state: StreamState;
  events: StreamEvent[];
}

export const streamConversion: StreamConversion<SseMessage, StreamState> = {
  initial: () => ({ phase: 'awaiting-message' }),
  step(state, message, { provider }) {
    if (state.phase === 'ended') return { state, events: [] };
    const event = parseStreamEvent(message.data);
    if (event === undefined) return { state: { phase: 'ended' }, events: [{ type: 'error', error: malformedReply(provider, `a malformed ${message.event ?? 'message'} event`) }] };
    return step(state, event, provider);
  },
  end: (state, { provider }) => endOfStream(state, provider),
};

function step(state: StreamState, event: AnthropicStreamEvent, provider: string): StepResult {
  if (state.phase === 'ended') return { state, events: [] };
  const current: Streaming =
    state.phase === 'streaming' ? state : { phase: 'streaming', messageId: null, blocks: {}, toolCalls: 0, usage: undefined, stopReason: null };
  switch (event.type) {
    case 'message_start':
      if (state.phase === 'streaming') return secondMessage(state, event.message.id, provider);
      return startMessage(current, event.message, provider);
    case 'content_block_start':
      return startBlock(current, event.index, event.content_block);
    case 'content_block_delta':
      return applyDelta(current, event.index, event.delta);
    case 'content_block_stop':
      return stopBlock(current, event.index);
    case 'message_delta':
      return {
        state: { ...current, stopReason: event.delta.stop_reason ?? current.stopReason, usage: mergeUsage(current.usage, event.usage) },
        events: [],
      };
    case 'message_stop':
      return {
        state: { phase: 'ended' },
        events: [
          {
            type: 'finish',
            reason: convertFinishReason(current.stopReason),
            nativeReason: current.stopReason,
            usage: current.usage !== undefined ? convertUsage(current.usage) : undefined,
          },
        ],
      };
    case 'error':
      return { state: { phase: 'ended' }, events: [{ type: 'error', error: mapStreamError(event.error, provider) }] };
    case 'ping':
    case 'unknown':
      return { state, events: [] };
  }
}

type MessageStart = Extract<AnthropicStreamEvent, { type: 'message_start' }>['message'];

/**
 * `message_start` usually carries an empty message; it may already carry
 * content and a stop reason (with programmatic tool calling the tool call
 * arrives here, complete, and no content block follows). Its blocks take the
 * first stream indexes, as later `content_block_start`s would.
 */
function startMessage(state: Streaming, message: MessageStart, provider: string): StepResult {
  let next: Streaming = { ...state, messageId: message.id ?? null, usage: message.usage ?? undefined, stopReason: message.stop_reason ?? null };
  const events: StreamEvent[] = [message.id != null ? { type: 'start', upstreamId: message.id } : { type: 'start' }];
  for (const [index, raw] of (message.content ?? []).entries()) {
    const block = parseContentBlock(raw);
    if (block === undefined) return { state: { phase: 'ended' }, events: [...events, { type: 'error', error: malformedReply(provider, `a malformed message_start content[${index}]`) }] };
    const started = block.type === 'tool_use' ? startCompleteToolUse(next, index, block) : startBlock(next, index, block);
    next = started.state as Streaming;
    events.push(...started.events);
  }
  return { state: next, events };
}

/** A tool call given whole (in `message_start`): its input is final, no JSON deltas follow. */
function startCompleteToolUse(state: Streaming, index: number, block: Extract<ContentBlock, { type: 'tool_use' }>): StepResult {
  const toolIndex = state.toolCalls;
  const next = withBlock(state, index, { kind: 'tool-use', toolIndex, initialInput: '', argumentsSent: true });
  return {
    state: { ...next, toolCalls: toolIndex + 1 },
    events: [
      { type: 'tool-call-start', index: toolIndex, id: block.id, name: block.name },
      { type: 'tool-call-delta', index: toolIndex, arguments: JSON.stringify(block.input ?? {}) },
    ],
  };
}

/**
 * A `message_start` while a message is open. Another id means the upstream
 * spliced a second reply into this one: merging them would hand the client
 * one clean reply with a cut-off tool call, so it is an upstream failure
 * (the attempt loop fails over before the commit point, ends in-band after).
 */
function secondMessage(state: Streaming, id: string | null | undefined, provider: string): StepResult {
  if (id != null && id === state.messageId) return { state, events: [] };
  return { state: { phase: 'ended' }, events: [{ type: 'error', error: malformedReply(provider, 'a second message_start inside an open message') }] };
}

/** The events owed when the upstream stream ends: an error unless a finish or an error was already emitted. */
function endOfStream(state: StreamState, provider: string): StreamEvent[] {
  if (state.phase === 'ended') return [];
  return [{ type: 'error', error: malformedReply(provider, 'a stream that ended before message_stop') }];
}

function withBlock(state: Streaming, index: number, block: BlockState): Streaming {
  return { ...state, blocks: { ...state.blocks, [index]: block } };
}

function startBlock(state: Streaming, index: number, block: ContentBlock): StepResult {
  switch (block.type) {
    case 'text':
      return {
        state: withBlock(state, index, { kind: 'text' }),
        events: block.text != null && block.text !== '' ? [{ type: 'text', text: block.text }] : [],
      };
    case 'thinking': {
      const events: StreamEvent[] = [];
      if (block.thinking != null && block.thinking !== '') events.push({ type: 'reasoning', text: block.thinking, format, block: index });
      if (block.signature != null && block.signature !== '') {
        events.push({ type: 'reasoning-signature', signature: block.signature, format, block: index });
      }
      return { state: withBlock(state, index, { kind: 'thinking' }), events };
    }
    case 'redacted_thinking':
      return {
        state: withBlock(state, index, { kind: 'redacted-thinking' }),
        events: [{ type: 'reasoning-encrypted', data: block.data, format, block: index }],
      };
    case 'tool_use': {
      const toolIndex = state.toolCalls;
      // Streams start tool_use with `input: {}` and send the input as JSON deltas.
      const hasInput = typeof block.input === 'object' && block.input !== null && Object.keys(block.input).length > 0;
      const next = withBlock(state, index, {
        kind: 'tool-use',
        toolIndex,
        initialInput: hasInput ? JSON.stringify(block.input) : '',
        argumentsSent: false,
      });
      return {
        state: { ...next, toolCalls: toolIndex + 1 },
        events: [{ type: 'tool-call-start', index: toolIndex, id: block.id, name: block.name }],
      };
    }
    case 'other':
      return { state: withBlock(state, index, { kind: 'skipped' }), events: [] };
  }
}

function applyDelta(state: Streaming, index: number, delta: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta']): StepResult {
  const block = state.blocks[index];
  const none: StepResult = { state, events: [] };
  switch (delta.type) {
    case 'text_delta':
      return block?.kind === 'text' && delta.text !== '' ? { state, events: [{ type: 'text', text: delta.text }] } : none;
    case 'thinking_delta':
      return block?.kind === 'thinking' && delta.thinking !== ''
        ? { state, events: [{ type: 'reasoning', text: delta.thinking, format, block: index }] }
        : none;
    case 'signature_delta':
      return block?.kind === 'thinking' && delta.signature !== ''
        ? { state, events: [{ type: 'reasoning-signature', signature: delta.signature, format, block: index }] }
        : none;
    case 'input_json_delta':
      // The first delta of every tool_use block is an empty partial_json: nothing to pass on.
      if (block?.kind !== 'tool-use' || delta.partial_json === '') return none;
      return {
        state: block.argumentsSent ? state : withBlock(state, index, { ...block, argumentsSent: true }),
        events: [{ type: 'tool-call-delta', index: block.toolIndex, arguments: delta.partial_json }],
      };
    case 'other':
      return none;
  }
}

function stopBlock(state: Streaming, index: number): StepResult {
  const block = state.blocks[index];
  if (block?.kind !== 'tool-use' || block.argumentsSent) return { state, events: [] };
  // A tool without arguments streams no JSON at all; clients parse `arguments`, so send an object.
  return {
    state: withBlock(state, index, { ...block, argumentsSent: true }),
    events: [{ type: 'tool-call-delta', index: block.toolIndex, arguments: block.initialInput === '' ? '{}' : block.initialInput }],
  };
}
