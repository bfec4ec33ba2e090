// Canonical events → legacy `text_completion` SSE frames, as OpenAI sends
// them for /completions (`choices[0].text` per delta) with OpenRouter's
// additions: `provider`, `native_finish_reason`, a final chunk with no
// choices and `usage` with `cost`, then `[DONE]`.
import type { GatewayError } from '../../api/errors.ts';
import type { BilledUsage, GenerationMeta, ReplyView, StreamEncoder } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { DONE_FRAME } from '../chat/stream-encoder.ts';
import { wireUsage } from '../chat/wire-usage.ts';

export class TextCompletionEncoder implements StreamEncoder {
  private readonly envelope: string;
  private readonly includeReasoning: boolean;

  constructor(meta: GenerationMeta, view: ReplyView) {
    this.envelope = `{"id":${JSON.stringify(meta.id)},"provider":${JSON.stringify(meta.provider)},"model":${JSON.stringify(meta.model)},"object":"text_completion","created":${meta.created}`;
    this.includeReasoning = view.includeReasoning;
  }

  open(): string {
    return '';
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case 'text':
      case 'refusal':
        return event.text === '' ? '' : this.choice(`"text":${JSON.stringify(event.text)},"finish_reason":null,"native_finish_reason":null`);
      case 'reasoning':
        return this.includeReasoning ? this.choice(`"text":"","reasoning":${JSON.stringify(event.text)},"finish_reason":null,"native_finish_reason":null`) : '';
      case 'finish':
        return this.choice(`"text":"","finish_reason":${JSON.stringify(event.reason)},"native_finish_reason":${JSON.stringify(event.nativeReason)}`);
      case 'error':
        return this.error(event.error);
      // A prompt request declares no tools, and signatures only matter to a
      // next chat turn, which this wire has no way to send back.
      case 'start':
      case 'reasoning-signature':
      case 'reasoning-encrypted':
      case 'tool-call-start':
      case 'tool-call-delta':
        return '';
    }
  }

  close(billed: BilledUsage): string {
    return `data: ${this.envelope},"choices":[],"usage":${JSON.stringify(wireUsage(billed.usage, billed.cost))}}\n\n${DONE_FRAME}`;
  }

  fail(error: GatewayError, billed: BilledUsage | undefined): string {
    return this.error(error, billed) + DONE_FRAME;
  }

  private choice(fields: string): string {
    return `data: ${this.envelope},"choices":[{"index":0,${fields},"logprobs":null}]}\n\n`;
  }

  /** The in-band error chunk; after the commit point it carries the usage billed so far, as chat's does. */
  private error(error: GatewayError, billed?: BilledUsage): string {
    const usage = billed === undefined ? '' : `,"usage":${JSON.stringify(wireUsage(billed.usage, billed.cost))}`;
    return `data: ${this.envelope},"error":${JSON.stringify(error.toWire())},"choices":[{"index":0,"text":"","finish_reason":"error","native_finish_reason":null,"logprobs":null}]${usage}}\n\n`;
  }
}
