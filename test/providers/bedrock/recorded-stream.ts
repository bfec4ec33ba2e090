// What a recorded ConverseStream should come out as, read straight off the
// recording (independently of the transform), and the same summary of the
// events an adapter emitted, so the two can be compared for every file.
import type { EventStreamMessage } from '../../../lib/providers/bedrock/wire-schemas.ts';
import type { StreamEvent, Usage } from '../../../lib/streaming/events.ts';

export interface StreamSummary {
  text: string;
  reasoning: string;
  signatures: string[];
  redacted: string[];
  toolCalls: { id: string; name: string; arguments: string }[];
  ending:
    | { kind: 'finish'; nativeReason: string | null; usage: Usage | undefined }
    | { kind: 'error'; providerCode: string | undefined };
}

type Json = Record<string, unknown>;

const object = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const string = (value: unknown): string => (typeof value === 'string' ? value : '');
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

export function expectedSummary(messages: readonly EventStreamMessage[]): StreamSummary {
  const summary: StreamSummary = { text: '', reasoning: '', signatures: [], redacted: [], toolCalls: [], ending: { kind: 'error', providerCode: undefined } };
  const toolBlocks = new Map<number, { id: string; name: string; arguments: string }>();
  const skipped = new Set<number>();
  let stopReason: string | undefined;
  let usage: Usage | undefined;
  for (const message of messages) {
    const payload = object(message.payload);
    const index = count(payload.contentBlockIndex);
    if (message.messageType === 'exception') {
      summary.ending = { kind: 'error', providerCode: message.type.charAt(0).toUpperCase() + message.type.slice(1) };
      return withTools(summary, toolBlocks);
    }
    switch (message.type) {
      case 'contentBlockStart': {
        const start = object(payload.start);
        const toolUse = object(start.toolUse);
        if (start.toolUse !== undefined && toolUse.type !== 'server_tool_use') {
          toolBlocks.set(index, { id: string(toolUse.toolUseId), name: string(toolUse.name), arguments: '' });
        } else {
          skipped.add(index);
        }
        break;
      }
      case 'contentBlockDelta': {
        if (skipped.has(index)) break;
        const delta = object(payload.delta);
        summary.text += string(delta.text);
        const tool = toolBlocks.get(index);
        if (tool !== undefined) tool.arguments += string(object(delta.toolUse).input);
        const reasoning = object(delta.reasoningContent);
        summary.reasoning += string(reasoning.text);
        if (typeof reasoning.signature === 'string') summary.signatures.push(reasoning.signature);
        if (typeof reasoning.redactedContent === 'string') summary.redacted.push(reasoning.redactedContent);
        break;
      }
      case 'messageStop':
        stopReason = string(payload.stopReason);
        break;
      case 'metadata': {
        const raw = object(payload.usage);
        const cacheRead = count(raw.cacheReadInputTokens);
        const cacheWrite = count(raw.cacheWriteInputTokens);
        usage = {
          promptTokens: count(raw.inputTokens) + cacheRead + cacheWrite,
          completionTokens: count(raw.outputTokens),
          cachedTokens: cacheRead,
          cacheWriteTokens: cacheWrite,
          reasoningTokens: 0,
        };
        break;
      }
    }
  }
  if (stopReason !== undefined) summary.ending = { kind: 'finish', nativeReason: stopReason, usage };
  return withTools(summary, toolBlocks);
}

function withTools(summary: StreamSummary, tools: Map<number, { id: string; name: string; arguments: string }>): StreamSummary {
  summary.toolCalls = [...tools.values()].map((tool) => ({ ...tool, arguments: tool.arguments === '' ? '{}' : tool.arguments }));
  return summary;
}

export function summarize(events: readonly StreamEvent[]): StreamSummary {
  const summary: StreamSummary = { text: '', reasoning: '', signatures: [], redacted: [], toolCalls: [], ending: { kind: 'error', providerCode: undefined } };
  for (const event of events) {
    switch (event.type) {
      case 'text':
        summary.text += event.text;
        break;
      case 'reasoning':
        summary.reasoning += event.text;
        break;
      case 'reasoning-signature':
        summary.signatures.push(event.signature);
        break;
      case 'reasoning-encrypted':
        summary.redacted.push(event.data);
        break;
      case 'tool-call-start':
        summary.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
        break;
      case 'tool-call-delta': {
        const call = summary.toolCalls[event.index];
        if (call === undefined) throw new Error(`tool-call-delta for unknown index ${event.index}`);
        call.arguments += event.arguments;
        break;
      }
      case 'finish':
        summary.ending = { kind: 'finish', nativeReason: event.nativeReason, usage: event.usage };
        break;
      case 'error':
        summary.ending = { kind: 'error', providerCode: event.error.providerCode };
        break;
      case 'start':
      case 'refusal':
        break;
    }
  }
  return summary;
}

/** The contract every adapter keeps: exactly one finish or error, and it is last. */
export function endings(events: readonly StreamEvent[]): number {
  return events.filter((event) => event.type === 'finish' || event.type === 'error').length;
}

/** The same summary, read off a recorded Converse (JSON) reply. */
export function expectedConverseSummary(reply: unknown): StreamSummary {
  const root = object(reply);
  const content = object(object(root.output).message).content;
  const summary: StreamSummary = { text: '', reasoning: '', signatures: [], redacted: [], toolCalls: [], ending: { kind: 'error', providerCode: undefined } };
  for (const entry of Array.isArray(content) ? content : []) {
    const block = object(entry);
    summary.text += string(block.text);
    const reasoning = object(block.reasoningContent);
    const reasoningText = object(reasoning.reasoningText);
    summary.reasoning += string(reasoningText.text);
    if (typeof reasoningText.signature === 'string') summary.signatures.push(reasoningText.signature);
    if (typeof reasoning.redactedContent === 'string') summary.redacted.push(reasoning.redactedContent);
    if (block.toolUse !== undefined) {
      const toolUse = object(block.toolUse);
      if (toolUse.type !== 'server_tool_use') {
        summary.toolCalls.push({ id: string(toolUse.toolUseId), name: string(toolUse.name), arguments: JSON.stringify(toolUse.input) });
      }
    }
  }
  const raw = object(root.usage);
  const cacheRead = count(raw.cacheReadInputTokens);
  const cacheWrite = count(raw.cacheWriteInputTokens);
  summary.ending = {
    kind: 'finish',
    nativeReason: string(root.stopReason),
    usage: {
      promptTokens: count(raw.inputTokens) + cacheRead + cacheWrite,
      completionTokens: count(raw.outputTokens),
      cachedTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      reasoningTokens: 0,
    },
  };
  return summary;
}
