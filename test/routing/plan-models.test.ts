import { describe, expect, it } from 'vitest';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { attemptIds, fixedHealth, percentiles, planIds, planInput, request, thrown } from './support/routing-fixtures.ts';

describe('attemptPlan: models and variants', () => {
  it('tries `model` first, then each of `models` in order, without repeats', () => {
    const ids = planIds({ request: request({ model: 'test/other', models: ['test/chat', 'test/other'] }) });
    expect(ids).toEqual([
      'test/other@deepinfra',
      'test/other@deepinfra/turbo',
      'test/other@deepinfra/priority',
      'test/other@alpha',
      'test/chat@alpha',
      'test/chat@beta',
      'test/chat@gamma',
    ]);
  });

  it('accepts `models` without `model`', () => {
    expect(planIds({ request: request({ model: undefined, models: ['test/plain'] }) })).toEqual(['test/plain@gamma']);
  });

  it('sorts inside each model by default (partition "model"): fallback models stay fallbacks', () => {
    const ids = planIds({ request: request({ model: 'test/chat', models: ['test/other'], provider: { sort: 'price' } }) });
    expect(ids.slice(0, 3)).toEqual(['test/chat@alpha', 'test/chat@beta', 'test/chat@gamma']);
  });

  it('interleaves the endpoints of all models by the sort key with partition "none"', () => {
    const ids = planIds({ request: request({ model: 'test/chat', models: ['test/other'], provider: { sort: { by: 'price', partition: 'none' } } }) });
    expect(ids).toEqual([
      'test/other@deepinfra', // 0.2
      'test/other@deepinfra/turbo', // 0.4
      'test/other@deepinfra/priority', // 0.6
      'test/chat@alpha', // 1
      'test/chat@beta', // 2 (model order breaks the tie)
      'test/other@alpha', // 2
      'test/chat@gamma', // 3
    ]);
  });

  it('treats the deprecated route "sort" as partition "none"', () => {
    const ids = planIds({ request: request({ model: 'test/chat', models: ['test/other'], route: 'sort', provider: { sort: 'price' } }) });
    expect(ids[0]).toBe('test/other@deepinfra');
  });

  it(':floor sorts by price, whatever the draw would pick', () => {
    expect(planIds({ random: () => 0.99, request: request({ model: 'test/chat:floor' }) })).toEqual([
      'test/chat@alpha',
      'test/chat@beta',
      'test/chat@gamma',
    ]);
  });

  it(':nitro sorts by throughput, unmeasured endpoints last', () => {
    const health = fixedHealth({ 'test/chat@gamma': { throughputTps: percentiles(200) }, 'test/chat@beta': { throughputTps: percentiles(90) } });
    expect(planIds({ health, request: request({ model: 'test/chat:nitro' }) })).toEqual([
      'test/chat@gamma',
      'test/chat@beta',
      'test/chat@alpha',
    ]);
  });

  it('routes :free, :exacto and :online to the base model when no such variant is listed', () => {
    for (const suffix of [':exacto', ':online', ':nitro:online']) {
      expect(planIds({ request: request({ model: `test/other${suffix}` }) })[0]).toMatch(/^test\/other@/);
    }
    expect(planIds({ request: request({ model: 'test/other:free' }) })[0]).toMatch(/^test\/other@/);
  });

  it('uses a listed static variant as a model of its own', () => {
    expect(planIds({ request: request({ model: 'test/chat:free' }) })).toEqual(['test/chat:free@beta']);
  });

  it.each(['nope/model', 'test/chat:thinking', 'test/missing:free'])('rejects the unknown model %s with a 400', (model) => {
    const error = thrown(() => attemptPlan(planInput({ request: request({ model }) })));
    expect(error).toMatchObject({ status: 400, type: 'invalid_request', message: `${model} is not a valid model ID` });
  });

  it('rejects an unknown id in `models` too', () => {
    const error = thrown(() => attemptPlan(planInput({ request: request({ models: ['test/other', 'nope/x'] }) })));
    expect(error).toMatchObject({ status: 400, message: 'nope/x is not a valid model ID' });
  });

  it('falls back to the next model when filters empty the first', () => {
    const plan = attemptPlan(planInput({ request: request({ model: 'test/plain', models: ['test/chat'], tools: [{ type: 'function', function: { name: 'f' } }] }) }));
    expect(attemptIds(plan)).toEqual(['test/chat@alpha', 'test/chat@beta']);
    expect(plan.excluded.map((entry) => entry.endpoint)).toEqual(['test/plain@gamma', 'test/chat@gamma']);
  });
});
