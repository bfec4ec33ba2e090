// The canonical request resolves each alias once, at decoding: every later
// step (the hold, the adapters, routing, the records) reads the resolved
// value, never the spellings.
import { describe, expect, it } from 'vitest';
import { chatRequest, DEFAULT_REASONING, type ChatRequest, type ReasoningSettings } from '../../lib/api/chat-request.ts';

const decode = (fields: Record<string, unknown>): ChatRequest => chatRequest.parse({ model: 'a/b', messages: [{ role: 'user', content: 'Hi' }], ...fields });

describe('the canonical request', () => {
  it('takes the output cap from either spelling; max_completion_tokens wins', () => {
    expect(decode({ max_tokens: 500 }).maxOutputTokens).toBe(500);
    expect(decode({ max_completion_tokens: 700 }).maxOutputTokens).toBe(700);
    expect(decode({ max_tokens: 500, max_completion_tokens: 700 }).maxOutputTokens).toBe(700);
    expect(decode({}).maxOutputTokens).toBeUndefined();
  });

  const on = (settings: Partial<ReasoningSettings>): ReasoningSettings => ({ ...DEFAULT_REASONING, mode: 'on', ...settings });
  it.each<[string, Record<string, unknown>, ReasoningSettings]>([
    ['nothing', {}, DEFAULT_REASONING],
    ['include_reasoning: true (the legacy reasoning: {})', { include_reasoning: true }, on({})],
    ['reasoning: {}', { reasoning: {} }, on({})],
    ['include_reasoning: false (hidden, not asked)', { include_reasoning: false }, { ...DEFAULT_REASONING, exclude: true }],
    ['reasoning_effort', { reasoning_effort: 'high' }, on({ effort: 'high' })],
    ['reasoning.effort, and the same reasoning_effort', { reasoning: { effort: 'low' }, reasoning_effort: 'low' }, on({ effort: 'low' })],
    ['enabled: true alone is medium', { reasoning: { enabled: true } }, on({ effort: 'medium' })],
    ['a budget', { reasoning: { max_tokens: 2048, exclude: true } }, on({ budgetTokens: 2048, exclude: true })],
    ['enabled: false', { reasoning: { enabled: false }, include_reasoning: true }, { ...DEFAULT_REASONING, mode: 'off' }],
    ['effort none', { reasoning_effort: 'none' }, { ...DEFAULT_REASONING, mode: 'off', effort: 'none' }],
    ['a summary', { reasoning: { effort: 'medium', summary: 'auto' } }, on({ effort: 'medium', summary: 'auto' })],
  ])('folds the reasoning spellings: %s', (_name, fields, expected) => {
    expect(decode(fields).reasoning).toEqual(expected);
  });

  it('keeps fields the chat wire does not define apart, as extras, and drops the spellings it resolved', () => {
    const request = decode({ max_tokens: 5, include_reasoning: true, stream: true, safe_prompt: true, web_search_options: { search_context_size: 'low' } });
    expect(request.extras).toEqual({ safe_prompt: true, web_search_options: { search_context_size: 'low' } });
    for (const spelling of ['max_tokens', 'max_completion_tokens', 'include_reasoning', 'reasoning_effort', 'stream', 'safe_prompt']) {
      expect(request).not.toHaveProperty(spelling);
    }
  });

  it('is strict: a misspelt field does not type-check', () => {
    const request = decode({ max_tokens: 5 });
    // @ts-expect-error -- `max_tokenz` is not a field of the canonical request (the wire type once let it through).
    expect(request.max_tokenz).toBeUndefined();
    // @ts-expect-error -- the spellings are resolved at decoding: read `maxOutputTokens`.
    expect(request.max_tokens).toBeUndefined();
  });
});
