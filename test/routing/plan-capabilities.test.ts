import { describe, expect, it } from 'vitest';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { attemptIds, planInput, request, thrown } from './support/routing-fixtures.ts';

const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
const withImage = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ],
  },
];

describe('attemptPlan: request size', () => {
  it('excludes endpoints whose context cannot hold the prompt plus the requested output', () => {
    const plan = attemptPlan(planInput({ promptTokens: 7000, request: request({ max_tokens: 2000 }) }));
    expect(attemptIds(plan)).toEqual(['test/chat@beta', 'test/chat@gamma']);
    expect(plan.excluded).toEqual([{ endpoint: 'test/chat@alpha', provider: 'Alpha AI', model: 'test/chat', excludedBy: 'context_length' }]);
  });

  it('fits a prompt that leaves room for one token when no output cap is given', () => {
    expect(attemptIds(attemptPlan(planInput({ promptTokens: 7999 })))).toContain('test/chat@alpha');
    expect(attemptIds(attemptPlan(planInput({ promptTokens: 8000 })))).not.toContain('test/chat@alpha');
  });

  it('excludes endpoints whose output limit is below the requested max tokens', () => {
    const plan = attemptPlan(planInput({ request: request({ max_completion_tokens: 10_000 }) }));
    expect(attemptIds(plan)).toEqual(['test/chat@gamma']);
    expect(plan.excluded.map((entry) => entry.excludedBy)).toEqual(['context_length', 'context_length']);
  });

  it('answers 404 with excluded_by when no endpoint fits', () => {
    const error = thrown(() => attemptPlan(planInput({ promptTokens: 200_000 })));
    expect(error).toMatchObject({ status: 404, type: 'not_found', message: 'No endpoints found with a context length of at least 200001 tokens' });
    expect(error.metadata.excluded_by).toEqual([
      { endpoint: 'test/chat@alpha', provider: 'Alpha AI', model: 'test/chat', excluded_by: 'context_length' },
      { endpoint: 'test/chat@beta', provider: 'Beta Cloud', model: 'test/chat', excluded_by: 'context_length' },
      { endpoint: 'test/chat@gamma', provider: 'Gamma', model: 'test/chat', excluded_by: 'context_length' },
    ]);
  });
});

describe('attemptPlan: capabilities', () => {
  it('never sends a request with tools to an endpoint without tool support', () => {
    const plan = attemptPlan(planInput({ request: request({ tools }) }));
    expect(attemptIds(plan)).toEqual(['test/chat@alpha', 'test/chat@beta']);
    expect(plan.excluded).toEqual([{ endpoint: 'test/chat@gamma', provider: 'Gamma', model: 'test/chat', excludedBy: 'require_parameters' }]);
  });

  it('answers OpenRouter\'s 404 when no endpoint supports tool use', () => {
    const error = thrown(() => attemptPlan(planInput({ request: request({ model: 'test/plain', tools }) })));
    expect(error).toMatchObject({ status: 404, message: 'No endpoints found that support tool use' });
    expect(error.metadata.excluded_by).toEqual([{ endpoint: 'test/plain@gamma', provider: 'Gamma', model: 'test/plain', excluded_by: 'require_parameters' }]);
  });

  it('an empty tools array is not tool use', () => {
    expect(attemptIds(attemptPlan(planInput({ request: request({ model: 'test/plain', tools: [] }) })))).toEqual(['test/plain@gamma']);
  });

  it('never sends image parts to a text-only endpoint', () => {
    const plan = attemptPlan(planInput({ request: request({ messages: withImage }) }));
    expect(attemptIds(plan)).toEqual(['test/chat@alpha', 'test/chat@gamma']);
    const error = thrown(() => attemptPlan(planInput({ request: request({ model: 'test/plain', messages: withImage }) })));
    expect(error).toMatchObject({ status: 404, message: 'No endpoints found that support image input' });
  });

  it('names every filter involved when several emptied the pool', () => {
    const error = thrown(() => attemptPlan(planInput({ request: request({ tools, provider: { zdr: true, ignore: ['alpha'] } }) })));
    expect(error.status).toBe(404);
    expect(error.message).toBe('No endpoints found for test/chat that satisfy the request (excluded by allowed_providers, data_policy:zdr)');
    expect(error.metadata.requested_models).toEqual(['test/chat']);
  });

  it('never puts prompt text into the 404', () => {
    const error = thrown(() => attemptPlan(planInput({ request: request({ model: 'test/plain', messages: withImage }) })));
    expect(JSON.stringify(error.metadata) + error.message).not.toContain('what is this');
  });
});
