// Canonical events → one Anthropic `message` body, built from the same block
// operations the SSE encoder sends, so both shapes always agree.
// https://docs.anthropic.com/en/api/messages
import type { GatewayError } from '../../api/errors.ts';
import type { BilledUsage, GenerationMeta, JsonAssembler, ReplyView } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { ContentBlocks, type BlockOperation } from './content-blocks.ts';
import { anthropicErrorBody } from './error-reply.ts';
import { messagesUsage, stopReason, type StopReason } from '../../wires/anthropic-messages.ts';

type AssembledBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown; partialJson: string };

export class MessageAssembler implements JsonAssembler {
  private readonly meta: GenerationMeta;
  private readonly blocks: ContentBlocks;
  private readonly content: AssembledBlock[] = [];
  private stop: StopReason | null = null;
  private failure: GatewayError | undefined;

  constructor(meta: GenerationMeta, view: ReplyView) {
    this.meta = meta;
    this.blocks = new ContentBlocks(view);
  }

  add(event: StreamEvent): void {
    if (event.type === 'error') this.failure = event.error;
    if (event.type === 'finish') this.stop = stopReason(event.reason, event.nativeReason);
    for (const operation of this.blocks.add(event)) this.apply(operation);
  }

  /** A failure past the commit point has no place in a `message`: it is the error's own status. */
  status(): number {
    return this.failure?.status ?? 200;
  }

  /**
   * The message; after a failure past the commit point (a streamed upstream
   * cut off), Anthropic's error body instead: a partial message would pass
   * for a whole one.
   */
  body(billed: BilledUsage): string {
    if (this.failure !== undefined) return JSON.stringify(anthropicErrorBody(this.failure, this.meta.id));
    return JSON.stringify({
      id: this.meta.id,
      type: 'message',
      role: 'assistant',
      model: this.meta.model,
      content: this.content.map(finished),
      stop_reason: this.stop,
      stop_sequence: null,
      usage: messagesUsage(billed.usage),
    });
  }

  private apply(operation: BlockOperation): void {
    switch (operation.type) {
      case 'content_block_start': {
        const block = operation.content_block;
        this.content[operation.index] = block.type === 'tool_use' ? { ...block, partialJson: '' } : { ...block };
        return;
      }
      case 'content_block_delta': {
        const block = this.content[operation.index];
        const delta = operation.delta;
        if (block?.type === 'text' && delta.type === 'text_delta') block.text += delta.text;
        else if (block?.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
        else if (block?.type === 'thinking' && delta.type === 'signature_delta') block.signature = delta.signature;
        else if (block?.type === 'tool_use' && delta.type === 'input_json_delta') block.partialJson += delta.partial_json;
        return;
      }
      case 'content_block_stop':
        return;
    }
  }
}

function finished(block: AssembledBlock): Record<string, unknown> {
  if (block.type !== 'tool_use') return block;
  return { type: 'tool_use', id: block.id, name: block.name, input: toolInput(block.partialJson) };
}

/** A tool's arguments as the object Anthropic's `input` is; arguments that do not parse (cut off by max_tokens) are an empty object. */
function toolInput(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}
