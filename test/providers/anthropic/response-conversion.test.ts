import { describe, expect, it } from 'vitest';
import { convertResponse } from '../../../lib/providers/anthropic/response-conversion.ts';

const format = 'anthropic-claude-v1';

describe('convertResponse: a Message body → events', () => {
  it('emits the blocks in order, then the finish with usage', () => {
    const events = convertResponse(
      {
        id: 'msg_r1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [
          { type: 'thinking', thinking: 'Need the time zone.', signature: 'EqQBsig' },
          { type: 'redacted_thinking', data: 'EmwKAhgB' },
          { type: 'text', text: 'Checking.', citations: null },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'tz' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'tool_use', id: 'toolu_1', name: 'get_timezone', input: {} },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Lisbon', days: 2 } },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 7, cache_creation_input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 61 },
      },
      { provider: 'Anthropic' },
    );

    expect(events).toEqual([
      { type: 'start', upstreamId: 'msg_r1' },
      { type: 'reasoning', text: 'Need the time zone.', format, block: 0 },
      { type: 'reasoning-signature', signature: 'EqQBsig', format, block: 0 },
      { type: 'reasoning-encrypted', data: 'EmwKAhgB', format, block: 1 },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'get_timezone' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_2', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, arguments: '{"city":"Lisbon","days":2}' },
      {
        type: 'finish',
        reason: 'tool_calls',
        nativeReason: 'tool_use',
        usage: { promptTokens: 1007, completionTokens: 61, cachedTokens: 900, cacheWriteTokens: 100, reasoningTokens: 0 },
      },
    ]);
  });

  it('reports no usage when the body has none', () => {
    const events = convertResponse({ id: 'msg_r2', content: [], stop_reason: 'end_turn' }, { provider: 'Anthropic' });

    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', nativeReason: 'end_turn', usage: undefined });
  });

  it.each([
    ['not a Message', { type: 'error', error: { type: 'api_error' } }],
    ['a malformed tool_use block', { id: 'msg_r3', content: [{ type: 'tool_use', name: 'f' }], stop_reason: 'tool_use' }],
  ])('gives one retryable error event for %s', (_case, body) => {
    const events = convertResponse(body, { provider: 'Anthropic' });

    expect(events).toHaveLength(1);
    const only = events[0];
    expect(only?.type === 'error' && [only.error.status, only.error.type, only.error.retryable]).toEqual([502, 'provider_unavailable', true]);
  });
});
