// Canonical events → Responses output items, and the stream events that
// build them (item added, content part added, deltas, done), in the order
// OpenAI sends them. One builder serves both the SSE encoder (which sends
// the events) and the JSON assembler (which keeps only the items), so both
// shapes always agree.
//
// Text and refusals go into a `message` item, reasoning into a `reasoning`
// item per reasoning block, each tool call into a `function_call` item. A
// message or reasoning item is done when an item of another kind (or another
// reasoning block) starts; function calls stay open until the finish, so
// argument deltas of calls that interleave still land on their own item.
//
// Reasoning text is sent as a reasoning *summary* (`summary_text`): it is
// what Responses clients read (the AI SDK reads nothing else), whether the
// model's reasoning was a summary or its full text.
// https://developers.openai.com/api/reference/resources/responses/streaming-events
import type { ReasoningFormat, StreamEvent } from '../../streaming/events.ts';

/** One Responses stream event, without its `sequence_number` (the encoder numbers them). */
export interface ResponsesEvent {
  type: string;
  [field: string]: unknown;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

type MessagePart = { type: 'output_text'; text: string } | { type: 'refusal'; refusal: string };

interface MessageItem {
  kind: 'message';
  id: string;
  outputIndex: number;
  parts: MessagePart[];
  status: ItemStatus;
}

interface ReasoningItem {
  kind: 'reasoning';
  id: string;
  outputIndex: number;
  format: ReasoningFormat;
  block: number;
  /** undefined until the first visible reasoning text opens the summary part. */
  summary: string | undefined;
  signature: string | undefined;
  encrypted: string | undefined;
  status: ItemStatus;
}

interface FunctionCallItem {
  kind: 'function_call';
  id: string;
  outputIndex: number;
  callId: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}

type OutputItem = MessageItem | ReasoningItem | FunctionCallItem;

export class OutputBuilder {
  private readonly items: OutputItem[] = [];
  /** The open message or reasoning item (at most one). */
  private current: MessageItem | ReasoningItem | undefined;
  /** Open function calls by their tool-call index. */
  private readonly calls = new Map<number, FunctionCallItem>();
  private readonly idSuffix: string;
  private readonly includeReasoning: boolean;

  /** `responseId` seeds the item ids (`msg_…`, `rs_…`, `fc_…`), so they are unique per response and repeatable. */
  constructor(responseId: string, includeReasoning: boolean) {
    this.idSuffix = responseId.replace(/^gen-/, '');
    this.includeReasoning = includeReasoning;
  }

  /** The stream events one canonical event makes ([] when it shows nothing). */
  add(event: StreamEvent): ResponsesEvent[] {
    switch (event.type) {
      case 'start':
      case 'error':
        return [];
      case 'text':
        return event.text === '' ? [] : this.messageDelta({ type: 'output_text', text: event.text });
      case 'refusal':
        return event.text === '' ? [] : this.messageDelta({ type: 'refusal', refusal: event.text });
      case 'reasoning':
        return this.includeReasoning && event.text !== '' ? this.reasoningDelta(event.format, event.block, event.text) : [];
      // Signatures and encrypted reasoning always pass: providers need them back on the next turn.
      case 'reasoning-signature': {
        const { item, events } = this.reasoningItem(event.format, event.block);
        item.signature = event.signature;
        return events;
      }
      case 'reasoning-encrypted': {
        const { item, events } = this.reasoningItem(event.format, event.block);
        item.encrypted = (item.encrypted ?? '') + event.data;
        return events;
      }
      case 'tool-call-start':
        return this.startCall(event.index, event.id, event.name);
      case 'tool-call-delta': {
        const call = this.calls.get(event.index);
        if (call === undefined || event.arguments === '') return [];
        call.arguments += event.arguments;
        return [{ type: 'response.function_call_arguments.delta', item_id: call.id, output_index: call.outputIndex, delta: event.arguments }];
      }
      case 'finish':
        return this.finish(event.reason === 'length' || event.reason === 'content_filter' ? 'incomplete' : 'completed');
    }
  }

  /** Close every open item with `status` (the end of the output). */
  finish(status: ItemStatus): ResponsesEvent[] {
    const events = this.closeCurrent(status);
    for (const call of [...this.calls.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      call.status = status;
      events.push(
        { type: 'response.function_call_arguments.done', item_id: call.id, output_index: call.outputIndex, arguments: call.arguments },
        { type: 'response.output_item.done', output_index: call.outputIndex, item: itemJson(call) },
      );
    }
    this.calls.clear();
    return events;
  }

  /** The output so far; items still open are shown with `openStatus` (a failed response's are `incomplete`). */
  output(openStatus: ItemStatus = 'in_progress'): Record<string, unknown>[] {
    return this.items.map((item) => itemJson(item.status === 'in_progress' ? { ...item, status: openStatus } : item));
  }

  private messageDelta(part: MessagePart): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    let message = this.current;
    if (message?.kind !== 'message') {
      events.push(...this.closeCurrent('completed'));
      message = { kind: 'message', id: this.itemId('msg'), outputIndex: this.items.length, parts: [], status: 'in_progress' };
      this.open(message, events);
    }
    const at = { item_id: message.id, output_index: message.outputIndex };
    let last = message.parts.at(-1);
    if (last?.type !== part.type) {
      if (last !== undefined) events.push(...partDone(message, message.parts.length - 1));
      last = part.type === 'output_text' ? { type: 'output_text', text: '' } : { type: 'refusal', refusal: '' };
      message.parts.push(last);
      events.push({ type: 'response.content_part.added', ...at, content_index: message.parts.length - 1, part: partJson(last) });
    }
    const contentIndex = message.parts.length - 1;
    if (last.type === 'output_text' && part.type === 'output_text') {
      last.text += part.text;
      events.push({ type: 'response.output_text.delta', ...at, content_index: contentIndex, delta: part.text, logprobs: [] });
    } else if (last.type === 'refusal' && part.type === 'refusal') {
      last.refusal += part.refusal;
      events.push({ type: 'response.refusal.delta', ...at, content_index: contentIndex, delta: part.refusal });
    }
    return events;
  }

  private reasoningDelta(format: ReasoningFormat, block: number, text: string): ResponsesEvent[] {
    const { item, events } = this.reasoningItem(format, block);
    const at = { item_id: item.id, output_index: item.outputIndex, summary_index: 0 };
    if (item.summary === undefined) {
      item.summary = '';
      events.push({ type: 'response.reasoning_summary_part.added', ...at, part: { type: 'summary_text', text: '' } });
    }
    item.summary += text;
    events.push({ type: 'response.reasoning_summary_text.delta', ...at, delta: text });
    return events;
  }

  /** The open reasoning item of this block, or a new one (which closes the open item). */
  private reasoningItem(format: ReasoningFormat, block: number): { item: ReasoningItem; events: ResponsesEvent[] } {
    const current = this.current;
    if (current?.kind === 'reasoning' && current.format === format && current.block === block) return { item: current, events: [] };
    const events = this.closeCurrent('completed');
    const item: ReasoningItem = {
      kind: 'reasoning',
      id: this.itemId('rs'),
      outputIndex: this.items.length,
      format,
      block,
      summary: undefined,
      signature: undefined,
      encrypted: undefined,
      status: 'in_progress',
    };
    this.open(item, events);
    return { item, events };
  }

  private startCall(index: number, callId: string, name: string): ResponsesEvent[] {
    const events = this.closeCurrent('completed');
    const call: FunctionCallItem = {
      kind: 'function_call',
      id: this.itemId('fc'),
      outputIndex: this.items.length,
      callId,
      name,
      arguments: '',
      status: 'in_progress',
    };
    this.items.push(call);
    this.calls.set(index, call);
    events.push({ type: 'response.output_item.added', output_index: call.outputIndex, item: itemJson(call) });
    return events;
  }

  private open(item: MessageItem | ReasoningItem, events: ResponsesEvent[]): void {
    this.items.push(item);
    this.current = item;
    events.push({ type: 'response.output_item.added', output_index: item.outputIndex, item: itemJson(item) });
  }

  private closeCurrent(status: ItemStatus): ResponsesEvent[] {
    const item = this.current;
    if (item === undefined) return [];
    this.current = undefined;
    item.status = status;
    const events: ResponsesEvent[] = [];
    if (item.kind === 'message') {
      if (item.parts.length > 0) events.push(...partDone(item, item.parts.length - 1));
    } else if (item.summary !== undefined) {
      const at = { item_id: item.id, output_index: item.outputIndex, summary_index: 0 };
      events.push(
        { type: 'response.reasoning_summary_text.done', ...at, text: item.summary },
        { type: 'response.reasoning_summary_part.done', ...at, part: { type: 'summary_text', text: item.summary } },
      );
    }
    events.push({ type: 'response.output_item.done', output_index: item.outputIndex, item: itemJson(item) });
    return events;
  }

  private itemId(prefix: 'msg' | 'rs' | 'fc'): string {
    return `${prefix}_${this.idSuffix}_${this.items.length}`;
  }
}

/** A message's content part `index` is done: its text (or refusal) in full, then the part. */
function partDone(message: MessageItem, index: number): ResponsesEvent[] {
  const part = message.parts[index] as MessagePart;
  const at = { item_id: message.id, output_index: message.outputIndex, content_index: index };
  const finished: ResponsesEvent =
    part.type === 'output_text'
      ? { type: 'response.output_text.done', ...at, text: part.text, logprobs: [] }
      : { type: 'response.refusal.done', ...at, refusal: part.refusal };
  return [finished, { type: 'response.content_part.done', ...at, part: partJson(part) }];
}

function partJson(part: MessagePart): Record<string, unknown> {
  return part.type === 'output_text' ? { type: 'output_text', text: part.text, annotations: [], logprobs: [] } : { type: 'refusal', refusal: part.refusal };
}

/** An item as the wire shows it; `format` and `signature` on reasoning are OpenRouter's additions. */
function itemJson(item: OutputItem): Record<string, unknown> {
  switch (item.kind) {
    case 'message':
      return { id: item.id, type: 'message', status: item.status, role: 'assistant', content: item.parts.map(partJson) };
    case 'function_call':
      return { id: item.id, type: 'function_call', status: item.status, call_id: item.callId, name: item.name, arguments: item.arguments };
    case 'reasoning': {
      const json: Record<string, unknown> = {
        id: item.id,
        type: 'reasoning',
        status: item.status,
        summary: item.summary === undefined ? [] : [{ type: 'summary_text', text: item.summary }],
        format: item.format,
      };
      if (item.encrypted !== undefined) json.encrypted_content = item.encrypted;
      if (item.signature !== undefined) json.signature = item.signature;
      return json;
    }
  }
}
