// Canonical events → one `chat.completion` JSON body, assembled from the same
// events the SSE encoder sends, so both shapes always agree.
import type { GatewayError } from '../../api/errors.ts';
import type { GenerationMeta } from '../../pipeline/door.ts';
import type { FinishReason, ReasoningFormat, StreamEvent } from '../../streaming/events.ts';
import type { WireUsage } from './wire-usage.ts';

interface ReasoningBlock {
  format: ReasoningFormat;
  block: number;
  text: string;
  signature?: string;
  data?: string;
}

interface ToolCallState {
  id: string;
  name: string;
  arguments: string;
}

export class CompletionAssembler {
  private content = '';
  private refusal: string | null = null;
  private reasoning = '';
  private readonly reasoningBlocks = new Map<string, ReasoningBlock>();
  private readonly toolCalls = new Map<number, ToolCallState>();
  private finishReason: FinishReason | null = null;
  private nativeFinishReason: string | null = null;
  private failure: GatewayError | undefined;
  private systemFingerprint: string | null = null;

  private readonly includeReasoning: boolean;

  constructor(includeReasoning: boolean) {
    this.includeReasoning = includeReasoning;
  }

  add(event: StreamEvent): void {
    switch (event.type) {
      case 'start':
        this.systemFingerprint = event.systemFingerprint ?? null;
        return;
      case 'text':
        this.content += event.text;
        return;
      case 'refusal':
        this.refusal = (this.refusal ?? '') + event.text;
        return;
      case 'reasoning':
        this.reasoning += event.text;
        this.block(event.format, event.block).text += event.text;
        return;
      case 'reasoning-signature':
        this.block(event.format, event.block).signature = event.signature;
        return;
      case 'reasoning-encrypted':
        this.block(event.format, event.block).data = (this.block(event.format, event.block).data ?? '') + event.data;
        return;
      case 'tool-call-start':
        this.toolCalls.set(event.index, { id: event.id, name: event.name, arguments: '' });
        return;
      case 'tool-call-delta': {
        const call = this.toolCalls.get(event.index);
        if (call !== undefined) call.arguments += event.arguments;
        return;
      }
      case 'finish':
        this.finishReason = event.reason;
        this.nativeFinishReason = event.nativeReason;
        return;
      case 'error':
        this.failure = event.error;
        this.finishReason = 'error';
        return;
    }
  }

  body(meta: GenerationMeta, usage: WireUsage): Record<string, unknown> {
    const toolCalls = [...this.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: this.content === '' && (toolCalls.length > 0 || this.refusal !== null) ? null : this.content,
      refusal: this.refusal,
      reasoning: this.includeReasoning && this.reasoning !== '' ? this.reasoning : null,
    };
    const details = this.reasoningDetails();
    if (details.length > 0) message.reasoning_details = details;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const choice: Record<string, unknown> = {
      index: 0,
      logprobs: null,
      finish_reason: this.finishReason,
      native_finish_reason: this.nativeFinishReason,
      message,
    };
    if (this.failure !== undefined) choice.error = this.failure.toWire();
    return {
      id: meta.id,
      provider: meta.provider,
      model: meta.model,
      object: 'chat.completion',
      created: meta.created,
      system_fingerprint: this.systemFingerprint,
      choices: [choice],
      usage,
    };
  }

  private block(format: ReasoningFormat, index: number): ReasoningBlock {
    const key = `${format}:${index}`;
    let block = this.reasoningBlocks.get(key);
    if (block === undefined) {
      block = { format, block: index, text: '' };
      this.reasoningBlocks.set(key, block);
    }
    return block;
  }

  /** Every block when reasoning is shown; otherwise only what providers need back (signatures, encrypted data). */
  private reasoningDetails(): Record<string, unknown>[] {
    const blocks = [...this.reasoningBlocks.values()];
    const shown = this.includeReasoning ? blocks : blocks.filter((block) => block.signature !== undefined || block.data !== undefined);
    return shown.map((block) =>
      block.data !== undefined
        ? { type: 'reasoning.encrypted', data: block.data, format: block.format, index: block.block }
        : {
            type: 'reasoning.text',
            text: this.includeReasoning ? block.text : '',
            ...(block.signature === undefined ? {} : { signature: block.signature }),
            format: block.format,
            index: block.block,
          },
    );
  }
}
