// Canonical events → Anthropic content blocks, as the block operations a
// Messages stream is made of (content_block_start / _delta / _stop). Both
// the SSE encoder and the JSON assembler read these operations, so a
// streamed reply and a whole one always hold the same blocks.
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { StreamEvent } from '../../streaming/events.ts';

export type StartedBlock =
  | { type: 'text'; text: '' }
  | { type: 'thinking'; thinking: ''; signature: '' }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };

export type BlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string };

export type BlockOperation =
  | { type: 'content_block_start'; index: number; content_block: StartedBlock }
  | { type: 'content_block_delta'; index: number; delta: BlockDelta }
  | { type: 'content_block_stop'; index: number };

/** The block being written: deltas of the same kind (and reasoning block, or tool call) go into it. */
type OpenBlock =
  | { kind: 'none' }
  | { kind: 'text'; index: number }
  | { kind: 'thinking'; index: number; reasoningBlock: number }
  | { kind: 'tool_use'; index: number; toolIndex: number };

export interface BlockOptions {
  /** false leaves thinking text out; signatures still pass (the next turn needs them). */
  includeReasoning: boolean;
}

export class ContentBlocks {
  private open: OpenBlock = { kind: 'none' };
  private next = 0;
  /** Tool call (canonical index) → its block, for deltas that arrive after another block opened. */
  private readonly toolBlocks = new Map<number, number>();
  private readonly includeReasoning: boolean;

  constructor(options: BlockOptions) {
    this.includeReasoning = options.includeReasoning;
  }

  /** The block operations one event makes; `finish` closes the open block, `start` and `error` make none. */
  add(event: StreamEvent): BlockOperation[] {
    switch (event.type) {
      case 'text':
      case 'refusal':
        // Anthropic has no refusal block: a refusal is the reply's text (and stop_reason `refusal`).
        if (event.text === '') return [];
        return [...this.ensureText(), { type: 'content_block_delta', index: this.currentIndex(), delta: { type: 'text_delta', text: event.text } }];
      case 'reasoning': {
        if (!this.includeReasoning || event.text === '') return [];
        const opened = this.ensureThinking(event.block);
        return [...opened, { type: 'content_block_delta', index: this.currentIndex(), delta: { type: 'thinking_delta', thinking: event.text } }];
      }
      case 'reasoning-signature': {
        const opened = this.ensureThinking(event.block);
        return [...opened, { type: 'content_block_delta', index: this.currentIndex(), delta: { type: 'signature_delta', signature: event.signature } }];
      }
      case 'reasoning-encrypted': {
        // Redacted thinking arrives whole, in its block's start.
        const closed = this.close();
        const index = this.next++;
        return [
          ...closed,
          { type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: event.data } },
          { type: 'content_block_stop', index },
        ];
      }
      case 'tool-call-start': {
        const closed = this.close();
        const index = this.next++;
        this.open = { kind: 'tool_use', index, toolIndex: event.index };
        this.toolBlocks.set(event.index, index);
        return [...closed, { type: 'content_block_start', index, content_block: { type: 'tool_use', id: event.id, name: event.name, input: {} } }];
      }
      case 'tool-call-delta': {
        const index = this.toolBlocks.get(event.index);
        if (index === undefined || event.arguments === '') return [];
        return [{ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: event.arguments } }];
      }
      case 'finish':
        return this.close();
      case 'start':
      case 'error':
        return [];
    }
  }

  private currentIndex(): number {
    return this.open.kind === 'none' ? -1 : this.open.index;
  }

  private close(): BlockOperation[] {
    if (this.open.kind === 'none') return [];
    const index = this.open.index;
    this.open = { kind: 'none' };
    return [{ type: 'content_block_stop', index }];
  }

  private ensureText(): BlockOperation[] {
    if (this.open.kind === 'text') return [];
    const closed = this.close();
    const index = this.next++;
    this.open = { kind: 'text', index };
    return [...closed, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }];
  }

  private ensureThinking(reasoningBlock: number): BlockOperation[] {
    if (this.open.kind === 'thinking' && this.open.reasoningBlock === reasoningBlock) return [];
    const closed = this.close();
    const index = this.next++;
    this.open = { kind: 'thinking', index, reasoningBlock };
    return [...closed, { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }];
  }
}
