import { describe, expect, it } from 'vitest';
import { streamConversion, type BedrockConversionContext } from '../../../lib/providers/bedrock/stream-conversion.ts';
import type { EventStreamMessage } from '../../../lib/providers/bedrock/wire-schemas.ts';
import { convertFrames } from '../../../lib/providers/upstream-stream.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { endings, expectedSummary, summarize } from './recorded-stream.ts';
import { fixtureFiles, ownFixtures, readStreamFixture, sharedFixtures } from './support.ts';

const options: BedrockConversionContext = { provider: 'Amazon Bedrock', reasoningFormat: 'anthropic-claude-v1', upstreamId: 'req-1' };

const run = (messages: readonly EventStreamMessage[], context = options): StreamEvent[] => convertFrames(streamConversion, messages, context);

const own = (name: string): StreamEvent[] => run(readStreamFixture(`${ownFixtures}/${name}`));

const event = (type: string, payload: unknown): EventStreamMessage => ({ messageType: 'event', type, payload });

describe('Bedrock stream conversion: every recorded stream', () => {
  const files = [...fixtureFiles(sharedFixtures, /\.jsonl$/), ...fixtureFiles(ownFixtures, /\.jsonl$/)];

  it.each(files)('$name: content, tool calls, usage and ending match the recording', ({ file }) => {
    const messages = readStreamFixture(file);

    const events = run(messages);

    expect(summarize(events)).toEqual(expectedSummary(messages));
    expect(endings(events)).toBe(1);
    const last = events.at(-1);
    expect(last?.type === 'finish' || last?.type === 'error').toBe(true);
    expect(events[0]).toEqual({ type: 'start', upstreamId: 'req-1' });
  });
});

describe('Bedrock stream conversion: own fixtures, exactly', () => {
  it('streams text and finishes after the metadata with its usage', () => {
    expect(own('stream-text.jsonl')).toEqual([
      { type: 'start', upstreamId: 'req-1' },
      { type: 'text', text: 'Bonjour' },
      { type: 'text', text: ' ! Comment puis-je' },
      { type: 'text', text: ' vous aider ? ☕' },
      {
        type: 'finish',
        reason: 'stop',
        nativeReason: 'end_turn',
        usage: { promptTokens: 18, completionTokens: 14, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('streams tool calls with split arguments, and "{}" for a call without any', () => {
    const events = own('stream-tool-use-split.jsonl');

    expect(events.slice(1, -1)).toEqual([
      { type: 'text', text: "I'll look up both cities." },
      { type: 'tool-call-start', index: 0, id: 'tooluse_Q7xkqP2bTfWm9sR4vL1aZg', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city": "Par' },
      { type: 'tool-call-delta', index: 0, arguments: 'is", "unit"' },
      { type: 'tool-call-delta', index: 0, arguments: ': "celsius"}' },
      { type: 'tool-call-start', index: 1, id: 'tooluse_c3VtbWVyIGluIExpc2Jvbg', name: 'get_local_time' },
      { type: 'tool-call-delta', index: 1, arguments: '{}' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls', nativeReason: 'tool_use' });
  });

  it('streams reasoning with its signature in one block, then the answer', () => {
    const events = own('stream-reasoning.jsonl');

    expect(events.slice(1, -1)).toEqual([
      { type: 'reasoning', text: 'The user wants 17 × 23.', format: 'anthropic-claude-v1', block: 0 },
      { type: 'reasoning', text: ' 17 × 20 = 340, 17 × 3 = 51, so 391.', format: 'anthropic-claude-v1', block: 0 },
      {
        type: 'reasoning-signature',
        signature: 'EqQBCkgIBxABGAIqQH3cFq1o8T0n0yqZxJm3l0ExampleSignatureOnlyForTestsZmFrZSBzaWduYXR1cmU=',
        format: 'anthropic-claude-v1',
        block: 0,
      },
      { type: 'text', text: '17 × 23 = ' },
      { type: 'text', text: '391' },
    ]);
  });

  it('passes redacted reasoning on as encrypted reasoning', () => {
    const events = own('stream-redacted-reasoning.jsonl');

    expect(events[1]).toEqual({
      type: 'reasoning-encrypted',
      data: 'RXJVQkNrZ0lCeEFCR0FJcVFIZmFrZSByZWRhY3RlZCB0aGlua2luZyBmb3IgdGVzdHM=',
      format: 'anthropic-claude-v1',
      block: 0,
    });
  });

  it('counts cache reads and writes into the prompt tokens', () => {
    expect(own('stream-cache-usage.jsonl').at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      nativeReason: 'end_turn',
      usage: { promptTokens: 23 + 4096 + 612, completionTokens: 17, cachedTokens: 4096, cacheWriteTokens: 612, reasoningTokens: 0 },
    });
  });

  it('ends with a retryable 429 error on a throttlingException mid-stream', () => {
    const events = own('stream-throttling-exception.jsonl');

    expect(events.map((entry) => entry.type)).toEqual(['start', 'text', 'error']);
    const last = events.at(-1);
    if (last?.type !== 'error') throw new Error('expected an error event');
    expect(last.error).toMatchObject({ status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'ThrottlingException' });
    expect(last.error.message).toBe('Too many tokens, please wait before trying again.');
  });

  it('ends with a retryable 502 on a modelStreamErrorException, without echoing it', () => {
    const last = own('stream-model-stream-error.jsonl').at(-1);

    if (last?.type !== 'error') throw new Error('expected an error event');
    expect(last.error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'ModelStreamErrorException' });
    expect(last.error.message).not.toContain('Internal error');
  });

  it('reports a guardrail intervention as content_filter', () => {
    expect(own('stream-guardrail-intervened.jsonl').at(-1)).toMatchObject({
      type: 'finish',
      reason: 'content_filter',
      nativeReason: 'guardrail_intervened',
    });
  });
});

describe('Bedrock stream conversion: order and cut-offs', () => {
  const start = event('messageStart', { role: 'assistant' });
  const text = event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } });
  const stop = event('messageStop', { stopReason: 'max_tokens' });
  const metadata = event('metadata', { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } });

  it('finishes without usage when the stream ends after messageStop but before metadata', () => {
    expect(run([start, text, stop]).at(-1)).toEqual({ type: 'finish', reason: 'length', nativeReason: 'max_tokens', usage: undefined });
  });

  it('waits for messageStop when metadata comes first', () => {
    const events = run([start, text, metadata, stop]);

    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length', usage: { promptTokens: 3, completionTokens: 1 } });
    expect(endings(events)).toBe(1);
  });

  it('ends a stream cut off before messageStop with a retryable error, never a finish', () => {
    const events = run([start, text]);

    expect(events.map((entry) => entry.type)).toEqual(['start', 'text', 'error']);
    expect(events.at(-1)).toMatchObject({ error: { status: 502, retryable: true } });
  });

  it('ignores anything after the finish, and event types it does not know', () => {
    const events = run([start, event('futureEvent', { x: 1 }), text, stop, metadata, text, stop]);

    expect(events.map((entry) => entry.type)).toEqual(['start', 'text', 'finish']);
  });

  it('turns a malformed known event into an error', () => {
    const events = run([start, event('contentBlockDelta', { delta: { text: 'no index' } })]);

    expect(events.at(-1)).toMatchObject({ type: 'error', error: { status: 502, retryable: true } });
  });

  it('ignores server-side tool use and its results', () => {
    const events = run([
      start,
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { name: 'nova_code_interpreter', toolUseId: 't1', type: 'server_tool_use' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"snippet":"1+1"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolResult: { toolUseId: 't1', status: 'success' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolResult: [{ json: { stdOut: '2' } }] } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('contentBlockDelta', { contentBlockIndex: 2, delta: { text: '2' } }),
      event('messageStop', { stopReason: 'end_turn' }),
      metadata,
    ]);

    expect(events.map((entry) => entry.type)).toEqual(['start', 'text', 'finish']);
  });

  it('labels reasoning of non-Claude models with the format it is given', () => {
    const events = run(
      [start, event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } }), stop],
      { provider: 'Amazon Bedrock', reasoningFormat: 'unknown' },
    );

    expect(events).toContainEqual({ type: 'reasoning', text: 'hmm', format: 'unknown', block: 0 });
    expect(events[0]).toEqual({ type: 'start' });
  });
});
