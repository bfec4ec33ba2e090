import { describe, expect, it } from 'vitest';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { attemptIds, fixedHealth, percentiles, planInput, request } from './support/routing-fixtures.ts';

const alpha = 'test/chat@alpha';
const beta = 'test/chat@beta';
const gamma = 'test/chat@gamma';

// With random() = 0 the default draw always picks the cheapest healthy
// endpoint, so the baseline order is alpha ($1), beta ($2), gamma ($3).
const stats = fixedHealth({
  [alpha]: { throughputTps: percentiles(30), latencyMs: percentiles(1500) },
  [beta]: { throughputTps: percentiles(60), latencyMs: percentiles(800) },
});

interface Row {
  name: string;
  provider?: Record<string, unknown>;
  fields?: Record<string, unknown>;
  attempts: string[];
  excluded?: Record<string, string>;
}

const rows: Row[] = [
  { name: 'no preferences: price-weighted draw', attempts: [alpha, beta, gamma] },
  { name: 'order puts the named provider first, the rest after, cheapest first', provider: { order: ['gamma'] }, attempts: [gamma, alpha, beta] },
  { name: 'order matches display names case-insensitively, in the given order', provider: { order: ['GAMMA', 'beta cloud'] }, attempts: [gamma, beta, alpha] },
  {
    name: 'order with allow_fallbacks false uses only the ordered providers',
    provider: { order: ['gamma'], allow_fallbacks: false },
    attempts: [gamma],
    excluded: { [alpha]: 'allowed_providers', [beta]: 'allowed_providers' },
  },
  { name: 'allow_fallbacks false alone keeps only the first choice', provider: { allow_fallbacks: false }, attempts: [alpha] },
  { name: 'only is an allowlist', provider: { only: ['beta', 'gamma'] }, attempts: [beta, gamma], excluded: { [alpha]: 'allowed_providers' } },
  {
    name: 'only with allow_fallbacks false keeps every allowed provider',
    provider: { only: ['beta', 'gamma'], allow_fallbacks: false },
    attempts: [beta, gamma],
    excluded: { [alpha]: 'allowed_providers' },
  },
  { name: 'ignore is a denylist (display name)', provider: { ignore: ['Alpha AI'] }, attempts: [beta, gamma], excluded: { [alpha]: 'allowed_providers' } },
  {
    name: 'quantizations filters by the endpoint quantization',
    provider: { quantizations: ['fp8'] },
    attempts: [beta],
    excluded: { [alpha]: 'quantization', [gamma]: 'quantization' },
  },
  {
    name: 'an endpoint without a quantization counts as unknown',
    provider: { quantizations: ['unknown'] },
    attempts: [gamma],
    excluded: { [alpha]: 'quantization', [beta]: 'quantization' },
  },
  {
    name: 'data_collection deny excludes providers that train on or retain prompts',
    provider: { data_collection: 'deny' },
    attempts: [alpha],
    excluded: { [beta]: 'data_policy:training', [gamma]: 'data_policy:training' },
  },
  { name: 'data_collection allow changes nothing', provider: { data_collection: 'allow' }, attempts: [alpha, beta, gamma] },
  {
    name: 'zdr keeps zero-data-retention providers only',
    provider: { zdr: true },
    attempts: [alpha],
    excluded: { [beta]: 'data_policy:zdr', [gamma]: 'data_policy:zdr' },
  },
  { name: 'max_price prompt as a number', provider: { max_price: { prompt: 0.5 } }, attempts: [alpha, beta], excluded: { [gamma]: 'max_price' } },
  { name: 'max_price equal to the price passes (string, exact)', provider: { max_price: { completion: '1.5' } }, attempts: [alpha, beta], excluded: { [gamma]: 'max_price' } },
  {
    name: 'max_price just below the price excludes (no float rounding)',
    provider: { max_price: { prompt: 0.4999999 } },
    attempts: [alpha],
    excluded: { [beta]: 'max_price', [gamma]: 'max_price' },
  },
  { name: 'max_price request limit with no per-request price passes', provider: { max_price: { request: 0 } }, attempts: [alpha, beta, gamma] },
  {
    name: 'require_parameters keeps endpoints supporting every parameter used',
    provider: { require_parameters: true },
    fields: { top_k: 5, seed: 1 },
    attempts: [],
    excluded: { [alpha]: 'require_parameters', [beta]: 'require_parameters', [gamma]: 'require_parameters' },
  },
  {
    name: 'require_parameters with a parameter two endpoints support',
    provider: { require_parameters: true },
    fields: { top_k: 5, temperature: 0.2 },
    attempts: [beta, gamma],
    excluded: { [alpha]: 'require_parameters' },
  },
  { name: 'without require_parameters unsupported parameters are dropped, not filtered', fields: { top_k: 5 }, attempts: [alpha, beta, gamma] },
  {
    name: 'reasoning_effort is satisfied by an endpoint supporting reasoning',
    provider: { require_parameters: true },
    fields: { reasoning_effort: 'low' },
    attempts: [gamma],
    excluded: { [alpha]: 'require_parameters', [beta]: 'require_parameters' },
  },
  {
    name: 'response_format is preferred: only supporting endpoints when some support it',
    fields: { response_format: { type: 'json_object' } },
    attempts: [alpha],
    excluded: { [beta]: 'require_parameters', [gamma]: 'require_parameters' },
  },
  { name: 'sort price is deterministic', provider: { sort: 'price' }, attempts: [alpha, beta, gamma] },
  { name: 'sort throughput: p50 descending, unknown stats last', provider: { sort: 'throughput' }, attempts: [beta, alpha, gamma] },
  { name: 'sort latency: p50 ascending, unknown stats last', provider: { sort: { by: 'latency' } }, attempts: [beta, alpha, gamma] },
  { name: 'order then sort: the rest follow the sort', provider: { order: ['gamma'], sort: 'throughput' }, attempts: [gamma, beta, alpha] },
  {
    name: 'preferred_min_throughput moves slower or unmeasured endpoints back, order kept',
    provider: { preferred_min_throughput: 50 },
    attempts: [beta, alpha, gamma],
  },
  {
    name: 'preferred_min_throughput with percentiles: all given must pass',
    provider: { preferred_min_throughput: { p50: 20, p99: 100 } },
    attempts: [beta, alpha, gamma],
  },
  { name: 'preferred_max_latency is in seconds', provider: { preferred_max_latency: 1 }, attempts: [beta, alpha, gamma] },
  { name: 'a cutoff everyone meets changes nothing', provider: { preferred_max_latency: 2 }, attempts: [alpha, beta, gamma] },
];

describe('attemptPlan: each provider preference', () => {
  it.each(rows)('$name', (row) => {
    const input = planInput({ request: request({ ...row.fields, provider: row.provider }), health: stats });
    if (row.attempts.length === 0) {
      expect(() => attemptPlan(input)).toThrow(expect.objectContaining({ status: 404 }));
      return;
    }
    const plan = attemptPlan(input);
    expect(attemptIds(plan)).toEqual(row.attempts);
    const excluded = Object.fromEntries(plan.excluded.map((entry) => [entry.endpoint, entry.excludedBy]));
    expect(excluded).toEqual(row.excluded ?? {});
  });

  it('names excluded endpoints by provider display name and model', () => {
    const plan = attemptPlan(planInput({ request: request({ provider: { zdr: true } }) }));
    expect(plan.excluded).toContainEqual({ endpoint: beta, provider: 'Beta Cloud', model: 'test/chat', excludedBy: 'data_policy:zdr' });
  });

  it('matches a base slug to every endpoint of that provider, but not its service-tier endpoints', () => {
    const ids = attemptIds(attemptPlan(planInput({ request: request({ model: 'test/other', provider: { only: ['deepinfra'] } }) })));
    expect(ids).toEqual(['test/other@deepinfra', 'test/other@deepinfra/turbo']);
    const tier = attemptIds(attemptPlan(planInput({ request: request({ model: 'test/other', provider: { only: ['deepinfra/priority'] } }) })));
    expect(tier).toEqual(['test/other@deepinfra/priority']);
  });
});
