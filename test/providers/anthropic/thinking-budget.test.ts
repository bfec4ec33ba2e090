import { describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { planThinking } from '../../../lib/providers/anthropic/thinking-budget.ts';

function plan(fields: Record<string, unknown>, maxTokens: number, endpointMaxTokens = 64000) {
  const request = chatRequest.parse({ model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }], ...fields });
  return planThinking(request, { maxTokens, endpointMaxTokens });
}

describe('planThinking (openrouter-api.md §2.7)', () => {
  it.each([
    // effort ratio × max_tokens, within [1024, 128000]
    ['high', 10000, 8000, 10000],
    ['medium', 10000, 5000, 10000],
    ['minimal', 20000, 2000, 20000],
    ['max', 10000, 9500, 10000],
    ['xhigh', 10000, 9500, 10000],
    // below the minimum: the budget is 1024 and max_tokens makes room for the answer
    ['low', 1000, 1024, 2024],
  ] as const)('effort %s with max_tokens %i → budget %i, max_tokens %i', (effort, maxTokens, budget, sentMaxTokens) => {
    expect(plan({ reasoning: { effort } }, maxTokens)).toEqual({
      thinking: { type: 'enabled', budget_tokens: budget },
      maxTokens: sentMaxTokens,
    });
  });

  it('caps an effort budget at 128000', () => {
    expect(plan({ reasoning: { effort: 'max' } }, 200000, 300000)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 128000 },
      maxTokens: 200000,
    });
  });

  it('uses reasoning.max_tokens directly, at least 1024, raising max_tokens above it', () => {
    expect(plan({ reasoning: { max_tokens: 3000 } }, 2000)).toEqual({ thinking: { type: 'enabled', budget_tokens: 3000 }, maxTokens: 5000 });
    expect(plan({ reasoning: { max_tokens: 500 } }, 4000)).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 }, maxTokens: 4000 });
  });

  it('stays within the endpoint output limit', () => {
    expect(plan({ reasoning: { max_tokens: 60000 } }, 8000, 64000)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 60000 },
      maxTokens: 64000,
    });
    expect(plan({ reasoning: { max_tokens: 100000 } }, 8000, 64000)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 63999 },
      maxTokens: 64000,
    });
  });

  it('defaults to medium for enabled, exclude, an empty object, reasoning_effort and include_reasoning', () => {
    const medium = { thinking: { type: 'enabled', budget_tokens: 4000 }, maxTokens: 8000 };

    expect(plan({ reasoning: { enabled: true } }, 8000)).toEqual(medium);
    expect(plan({ reasoning: { exclude: true } }, 8000)).toEqual(medium);
    expect(plan({ reasoning: {} }, 8000)).toEqual(medium);
    expect(plan({ include_reasoning: true }, 8000)).toEqual(medium);
    expect(plan({ reasoning_effort: 'high' }, 8000)).toEqual({ thinking: { type: 'enabled', budget_tokens: 6400 }, maxTokens: 8000 });
  });

  it('sends no thinking when reasoning is off or not asked for', () => {
    const off = { thinking: undefined, maxTokens: 8000 };

    expect(plan({}, 8000)).toEqual(off);
    expect(plan({ reasoning: { effort: 'none' } }, 8000)).toEqual(off);
    expect(plan({ reasoning_effort: 'none' }, 8000)).toEqual(off);
    expect(plan({ reasoning: { enabled: false, max_tokens: 2000 } }, 8000)).toEqual(off);
    expect(plan({ include_reasoning: false }, 8000)).toEqual(off);
  });
});
