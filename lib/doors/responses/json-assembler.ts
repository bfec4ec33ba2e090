// Canonical events → one `response` JSON body, built by the same output
// builder the SSE encoder uses (its stream events are dropped here), so the
// JSON reply is exactly the `response` of the stream's last event.
import type { ChatRequest } from '../../api/chat-request.ts';
import type { GatewayError } from '../../api/errors.ts';
import type { BilledUsage, GenerationMeta, JsonAssembler, ReplyView } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { OutputBuilder } from './output-items.ts';
import { finishedState, responseObject, type ResponseState } from './response-object.ts';

export class ResponseAssembler implements JsonAssembler {
  private readonly meta: GenerationMeta;
  private readonly request: ChatRequest | undefined;
  private readonly builder: OutputBuilder;
  /** Until a finish or an error arrives, the answer was cut off: `incomplete`. */
  private finished: Pick<ResponseState, 'status' | 'incompleteReason'> = { status: 'incomplete' };
  private failure: GatewayError | undefined;

  constructor(meta: GenerationMeta, view: ReplyView) {
    this.meta = meta;
    this.request = view.request;
    this.builder = new OutputBuilder(meta.id, view.includeReasoning);
  }

  add(event: StreamEvent): void {
    if (event.type === 'finish') this.finished = finishedState(event.reason);
    if (event.type === 'error') {
      this.failure = event.error;
      this.finished = { status: 'failed' };
    }
    this.builder.add(event);
  }

  body(billed: BilledUsage): string {
    const failed = this.failure !== undefined;
    const output = this.builder.output(failed || this.finished.status === 'incomplete' ? 'incomplete' : 'completed');
    const state: ResponseState = { ...this.finished, output, billed, ...(failed ? { error: this.failure } : {}) };
    return JSON.stringify(responseObject(this.meta, this.request, state));
  }
}
