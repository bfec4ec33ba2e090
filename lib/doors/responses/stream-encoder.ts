// Canonical events → Responses SSE frames: `event: <type>` and
// `data: {"type":…, …, "sequence_number":n}`, numbered from 0, as the
// OpenAI SDK parses them. The stream opens with `response.created` and
// `response.in_progress`, and ends with `response.completed` (or
// `response.incomplete` when the answer was cut off, `response.failed`
// after a failure); there is no `[DONE]` on this wire.
import type { GatewayError } from '../../api/errors.ts';
import type { ChatRequest } from '../../api/chat-request.ts';
import type { BilledUsage, GenerationMeta, ReplyView, StreamEncoder } from '../../pipeline/door.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { OutputBuilder, type ResponsesEvent } from './output-items.ts';
import { finishedState, responseObject, type ResponseState } from './response-object.ts';

export class ResponsesStreamEncoder implements StreamEncoder {
  private readonly meta: GenerationMeta;
  private readonly request: ChatRequest | undefined;
  private readonly builder: OutputBuilder;
  private sequence = 0;
  private finished: Pick<ResponseState, 'status' | 'incompleteReason'> = { status: 'completed' };

  constructor(meta: GenerationMeta, view: ReplyView) {
    this.meta = meta;
    this.request = view.request;
    this.builder = new OutputBuilder(meta.id, view.includeReasoning);
  }

  open(): string {
    const response = this.response({ status: 'in_progress', output: [] });
    return this.frame({ type: 'response.created', response }) + this.frame({ type: 'response.in_progress', response });
  }

  encode(event: StreamEvent): string {
    if (event.type === 'finish') this.finished = finishedState(event.reason);
    let frames = '';
    for (const out of this.builder.add(event)) frames += this.frame(out);
    return frames;
  }

  close(billed: BilledUsage): string {
    const type = this.finished.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    return this.frame({ type, response: this.response({ ...this.finished, output: this.builder.output(), billed }) });
  }

  /**
   * A failure once the stream is open: one `response.failed` with what was
   * generated so far (items cut short are `incomplete`) and, past the commit
   * point, the usage billed for it in `response.usage`.
   */
  fail(error: GatewayError, billed: BilledUsage | undefined): string {
    const state: ResponseState = { status: 'failed', output: this.builder.output('incomplete'), error, ...(billed === undefined ? {} : { billed }) };
    return this.frame({ type: 'response.failed', response: this.response(state) });
  }

  private response(state: ResponseState): Record<string, unknown> {
    return responseObject(this.meta, this.request, state);
  }

  private frame(event: ResponsesEvent): string {
    const data = JSON.stringify({ ...event, sequence_number: this.sequence });
    this.sequence += 1;
    return `event: ${event.type}\ndata: ${data}\n\n`;
  }
}
