// Canonical events → OpenAI `chat.completion.chunk` SSE frames, exactly as
// OpenRouter sends them (openrouter-api.md §4.2). The envelope of every chunk
// is fixed per generation, so it is serialised once and only the delta is
// serialised per event.
import type { GatewayError } from '../../api/errors.ts';
import type { BilledUsage, GenerationMeta, StreamEncoder } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { wireUsage, type WireUsage } from './wire-usage.ts';

/** The comment OpenRouter sends while no provider has answered yet: the keep-alive of every door that speaks OpenAI's SSE (chat, completions, responses). */
export const KEEP_ALIVE_FRAME = ': OPENROUTER PROCESSING\n\n';
export const DONE_FRAME = 'data: [DONE]\n\n';

export interface ChunkEncoderOptions {
  /** false hides reasoning (`reasoning.exclude`, `include_reasoning: false`). */
  includeReasoning: boolean;
}

export class ChunkEncoder implements StreamEncoder {
  private readonly prefix: string;
  private readonly envelope: string;
  private readonly includeReasoning: boolean;
  private roleSent = false;

  constructor(meta: GenerationMeta, options: ChunkEncoderOptions) {
    this.envelope = `{"id":${JSON.stringify(meta.id)},"provider":${JSON.stringify(meta.provider)},"model":${JSON.stringify(meta.model)},"object":"chat.completion.chunk","created":${meta.created}`;
    this.prefix = `data: ${this.envelope},"choices":[{"index":0,"delta":`;
    this.includeReasoning = options.includeReasoning;
  }

  open(): string {
    return '';
  }

  close(billed: BilledUsage): string {
    return this.usage(wireUsage(billed.usage, billed.cost)) + DONE_FRAME;
  }

  fail(error: GatewayError, billed: BilledUsage | undefined): string {
    return this.error(error, billed === undefined ? undefined : wireUsage(billed.usage, billed.cost)) + DONE_FRAME;
  }

  /** The SSE frame for one event, or '' when the event shows nothing to the client. */
  encode(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        return '';
      case 'text':
        return event.text === '' ? '' : this.delta(`"content":${JSON.stringify(event.text)}`);
      case 'refusal':
        return this.delta(`"refusal":${JSON.stringify(event.text)}`);
      case 'reasoning':
        if (!this.includeReasoning) return '';
        return this.delta(
          `"reasoning":${JSON.stringify(event.text)},"reasoning_details":[${JSON.stringify({ type: 'reasoning.text', text: event.text, format: event.format, index: event.block })}]`,
        );
      // Signatures and encrypted reasoning are not readable reasoning: they
      // always pass, because providers (Gemini 3, Claude with tools) need
      // them back on the next turn.
      case 'reasoning-signature':
        return this.delta(
          `"reasoning_details":[${JSON.stringify({ type: 'reasoning.text', text: '', signature: event.signature, format: event.format, index: event.block })}]`,
        );
      case 'reasoning-encrypted':
        return this.delta(
          `"reasoning_details":[${JSON.stringify({ type: 'reasoning.encrypted', data: event.data, format: event.format, index: event.block })}]`,
        );
      case 'tool-call-start':
        return this.delta(
          `"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]`,
        );
      case 'tool-call-delta':
        return this.delta(`"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.arguments)}}}]`);
      case 'finish':
        return `${this.prefix}{${this.role()}},"finish_reason":${JSON.stringify(event.reason)},"native_finish_reason":${JSON.stringify(event.nativeReason)},"logprobs":null}]}\n\n`;
      case 'error':
        return this.error(event.error);
    }
  }

  /** The final chunk: usage (with cost) and no choices. */
  usage(usage: WireUsage): string {
    return `data: ${this.envelope},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
  }

  /**
   * One error chunk after the commit point: the stream ends after it (and
   * [DONE]). It carries the usage billed so far, with its cost, as the final
   * chunk of a finished stream does.
   */
  error(error: GatewayError, usage?: WireUsage): string {
    const billed = usage === undefined ? '' : `,"usage":${JSON.stringify(usage)}`;
    return `data: ${this.envelope},"error":${JSON.stringify(error.toWire())},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":null,"logprobs":null}]${billed}}\n\n`;
  }

  private delta(fields: string): string {
    const role = this.role();
    return `${this.prefix}{${role === '' ? '' : `${role},`}${fields}},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}\n\n`;
  }

  private role(): string {
    if (this.roleSent) return '';
    this.roleSent = true;
    return '"role":"assistant"';
  }
}
