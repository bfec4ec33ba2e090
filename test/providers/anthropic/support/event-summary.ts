// Canonical events folded into what a reader of the fixture can check by
// eye: the joined text, each reasoning block, each tool call, how it ended.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { StreamEvent, Usage } from '../../../../lib/streaming/events.ts';

export interface EventSummary {
  upstreamId: string | undefined;
  text: string;
  textEvents: number;
  reasoning: Array<{ block: number; text: string; signature: string | undefined }>;
  encrypted: Array<{ block: number; data: string }>;
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string; deltas: number }>;
  end:
    | { type: 'finish'; reason: string; nativeReason: string | null; usage: Usage | undefined }
    | { type: 'error'; status: number; errorType: string; retryable: boolean }
    | undefined;
}

/** Long strings (texts, signatures, redacted data) as their start, length and digest: still exact, but readable. */
export function fingerprint(value: string): string {
  if (value.length <= 120) return value;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 12);
  return `${value.slice(0, 40)}…(${value.length} chars, sha256 ${digest})`;
}

export function summarize(events: readonly StreamEvent[]): EventSummary {
  const summary = collect(events);
  return {
    ...summary,
    text: fingerprint(summary.text),
    reasoning: summary.reasoning.map((block) => ({
      block: block.block,
      text: fingerprint(block.text),
      signature: block.signature === undefined ? undefined : fingerprint(block.signature),
    })),
    encrypted: summary.encrypted.map((block) => ({ block: block.block, data: fingerprint(block.data) })),
  };
}

function collect(events: readonly StreamEvent[]): EventSummary {
  const summary: EventSummary = { upstreamId: undefined, text: '', textEvents: 0, reasoning: [], encrypted: [], toolCalls: [], end: undefined };
  for (const event of events) {
    switch (event.type) {
      case 'start':
        summary.upstreamId = event.upstreamId;
        break;
      case 'text':
        summary.text += event.text;
        summary.textEvents += 1;
        break;
      case 'reasoning': {
        const block = reasoningBlock(summary, event.block);
        block.text += event.text;
        break;
      }
      case 'reasoning-signature': {
        const block = reasoningBlock(summary, event.block);
        block.signature = (block.signature ?? '') + event.signature;
        break;
      }
      case 'reasoning-encrypted':
        summary.encrypted.push({ block: event.block, data: event.data });
        break;
      case 'refusal':
        throw new Error('the Anthropic adapter emits no refusal events');
      case 'tool-call-start':
        summary.toolCalls.push({ index: event.index, id: event.id, name: event.name, arguments: '', deltas: 0 });
        break;
      case 'tool-call-delta': {
        const call = summary.toolCalls.find((candidate) => candidate.index === event.index);
        if (call === undefined) throw new Error(`tool-call-delta for unknown index ${event.index}`);
        call.arguments += event.arguments;
        call.deltas += 1;
        break;
      }
      case 'finish':
        summary.end = { type: 'finish', reason: event.reason, nativeReason: event.nativeReason, usage: event.usage };
        break;
      case 'error':
        summary.end = { type: 'error', status: event.error.status, errorType: event.error.type, retryable: event.error.retryable };
        break;
    }
  }
  return summary;
}

function reasoningBlock(summary: EventSummary, block: number): EventSummary['reasoning'][number] {
  let entry = summary.reasoning.find((candidate) => candidate.block === block);
  if (entry === undefined) {
    entry = { block, text: '', signature: undefined };
    summary.reasoning.push(entry);
  }
  return entry;
}

/** What every adapter's events promise (lib/providers/types.ts), whatever the input. */
export function expectWellFormed(events: readonly StreamEvent[]): void {
  const last = events.at(-1);
  expect(last === undefined ? undefined : last.type).toMatch(/^(finish|error)$/);
  expect(events.filter((event) => event.type === 'finish' || event.type === 'error')).toHaveLength(1);
  const starts = events.filter((event) => event.type === 'start');
  expect(starts.length).toBeLessThanOrEqual(1);
  if (starts.length === 1) expect(events[0]?.type).toBe('start');
  let toolCalls = 0;
  for (const event of events) {
    if (event.type === 'tool-call-start') {
      expect(event.index).toBe(toolCalls);
      toolCalls += 1;
    }
    if (event.type === 'tool-call-delta') expect(event.index).toBeLessThan(toolCalls);
    if (event.type === 'text') expect(event.text).not.toBe('');
    if (event.type === 'reasoning' || event.type === 'reasoning-signature' || event.type === 'reasoning-encrypted') {
      expect(event.format).toBe('anthropic-claude-v1');
    }
  }
}
