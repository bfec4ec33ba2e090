// Canonical events → Anthropic Messages SSE frames: `message_start`, then
// each content block's start / deltas / stop, then `message_delta` (stop
// reason, usage) and `message_stop`; `ping` while waiting; a failure after
// the stream began is one `event: error` frame, as Anthropic sends it.
// Anthropic's error event has no usage field: the usage billed so far goes in
// a `message_delta` just before it (with no stop reason), where a Messages
// client accumulates usage anyway.
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { GatewayError } from '../../api/errors.ts';
import type { BilledUsage, GenerationMeta, ReplyView, StreamEncoder } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { ContentBlocks, type BlockOperation } from './content-blocks.ts';
import { anthropicErrorBody } from './error-reply.ts';
import { messagesUsage, stopReason, type StopReason } from '../../wires/anthropic-messages.ts';

export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

export function sseFrame(event: { readonly type: string; readonly [field: string]: unknown }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The message as `message_start` opens it: no content, no stop reason, usage still to come. */
export function openingMessage(meta: GenerationMeta): Record<string, unknown> {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    // The counts come in message_delta, once the provider has reported them.
    usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
  };
}

export class MessagesStreamEncoder implements StreamEncoder {
  private readonly meta: GenerationMeta;
  private readonly blocks: ContentBlocks;
  private stop: StopReason = 'end_turn';

  constructor(meta: GenerationMeta, view: ReplyView) {
    this.meta = meta;
    this.blocks = new ContentBlocks(view);
  }

  open(): string {
    return sseFrame({ type: 'message_start', message: openingMessage(this.meta) });
  }

  encode(event: StreamEvent): string {
    if (event.type === 'error') return this.fail(event.error, undefined);
    if (event.type === 'finish') this.stop = stopReason(event.reason, event.nativeReason);
    return this.frames(this.blocks.add(event));
  }

  close(billed: BilledUsage): string {
    return (
      sseFrame({ type: 'message_delta', delta: { stop_reason: this.stop, stop_sequence: null }, usage: messagesUsage(billed.usage) }) +
      sseFrame({ type: 'message_stop' })
    );
  }

  fail(error: GatewayError, billed: BilledUsage | undefined): string {
    const { type, error: detail } = anthropicErrorBody(error, this.meta.id);
    const usage = billed === undefined ? '' : sseFrame({ type: 'message_delta', delta: { stop_reason: null, stop_sequence: null }, usage: messagesUsage(billed.usage) });
    return usage + sseFrame({ type, error: detail });
  }

  private frames(operations: readonly BlockOperation[]): string {
    let out = '';
    for (const operation of operations) out += sseFrame(operation);
    return out;
  }
}
