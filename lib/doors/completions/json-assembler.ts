// Canonical events → one `text_completion` JSON body, from the same events
// the SSE encoder sends.
import type { GatewayError } from '../../api/errors.ts';
import type { GenerationMeta } from '../../pipeline/door.ts';
import type { FinishReason, StreamEvent } from '../../streaming/events.ts';
import type { WireUsage } from '../chat/wire-usage.ts';

export class TextCompletionAssembler {
  private text = '';
  private reasoning = '';
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
      case 'refusal':
        this.text += event.text;
        return;
      case 'reasoning':
        this.reasoning += event.text;
        return;
      case 'finish':
        this.finishReason = event.reason;
        this.nativeFinishReason = event.nativeReason;
        return;
      case 'error':
        this.failure = event.error;
        this.finishReason = 'error';
        return;
      case 'reasoning-signature':
      case 'reasoning-encrypted':
      case 'tool-call-start':
      case 'tool-call-delta':
        return;
    }
  }

  body(meta: GenerationMeta, usage: WireUsage): Record<string, unknown> {
    const choice: Record<string, unknown> = {
      text: this.text,
      index: 0,
      logprobs: null,
      finish_reason: this.finishReason,
      native_finish_reason: this.nativeFinishReason,
    };
    if (this.includeReasoning && this.reasoning !== '') choice.reasoning = this.reasoning;
    if (this.failure !== undefined) choice.error = this.failure.toWire();
    return {
      id: meta.id,
      provider: meta.provider,
      model: meta.model,
      object: 'text_completion',
      created: meta.created,
      system_fingerprint: this.systemFingerprint,
      choices: [choice],
      usage,
    };
  }
}
