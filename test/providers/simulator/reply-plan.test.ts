import { describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../../lib/providers/simulator/index.ts';
import { planReply } from '../../../lib/providers/simulator/reply-plan.ts';
import type { SimulatedRequest } from '../../../lib/providers/simulator/simulated-request.ts';

const request: SimulatedRequest = {
  model: 'm',
  stream: false,
  maxTokens: undefined,
  texts: ['Hello', 'there'],
  tools: [],
  toolChoice: { type: 'auto' },
  lastTurn: 'user',
  includeUsage: false,
};
const tools = [
  { name: 'first', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } },
  { name: 'second', parameters: { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'] } },
];

describe('countPromptTokens', () => {
  it('is ceil(characters / 4) over all texts, counting code points', () => {
    expect(countPromptTokens([])).toBe(0);
    expect(countPromptTokens(['abcd'])).toBe(1);
    expect(countPromptTokens(['abcd', 'e'])).toBe(2);
    // Four emoji are eight UTF-16 units but four characters.
    expect(countPromptTokens(['🚂🚃🚃🚃'])).toBe(1);
  });
});

describe('planReply', () => {
  it('answers with outputTokens words, the same for the same prompt', () => {
    const plan = planReply(request, 7);
    expect(plan).toMatchObject({ promptTokens: 3, completionTokens: 7, finish: 'stop' });
    if (plan.content.type !== 'text') throw new Error('expected text');
    expect(plan.content.tokens).toHaveLength(7);
    expect(plan.content.tokens[0]).toMatch(/^[a-z]+$/);
    for (const token of plan.content.tokens.slice(1)) expect(token).toMatch(/^ [a-z]+$/);
    expect(planReply({ ...request }, 7)).toEqual(plan);
    expect(planReply({ ...request, texts: ['Hello', 'where'] }, 7)).not.toEqual(plan);
  });

  it('caps at the request’s max tokens and says length', () => {
    expect(planReply({ ...request, maxTokens: 3 }, 7)).toMatchObject({ completionTokens: 3, finish: 'length' });
    expect(planReply({ ...request, maxTokens: 7 }, 7)).toMatchObject({ completionTokens: 7, finish: 'stop' });
  });

  it('calls the first tool after a user turn, the forced one when named, none after a tool result', () => {
    expect(planReply({ ...request, tools }, 5).content).toEqual({
      type: 'tool-call',
      name: 'first',
      input: { a: 'example' },
      arguments: '{"a":"example"}',
      fragments: ['{"a"', ':"ex', 'ampl', 'e"}'],
    });
    expect(planReply({ ...request, tools }, 5)).toMatchObject({ completionTokens: 4, finish: 'tool-calls' });
    expect(planReply({ ...request, tools, toolChoice: { type: 'tool', name: 'second' } }, 5).content).toMatchObject({ name: 'second', arguments: '{"b":true}' });
    expect(planReply({ ...request, tools, toolChoice: { type: 'none' } }, 5).content.type).toBe('text');
    expect(planReply({ ...request, tools, lastTurn: 'tool-result' }, 5)).toMatchObject({ finish: 'stop', content: { type: 'text' } });
    expect(planReply({ ...request, tools, lastTurn: 'other' }, 5).content.type).toBe('text');
  });
});
