import { describe, expect, it } from 'vitest';
import { attemptPlan } from '../../lib/routing/plan.ts';
import { attemptIds, fixedHealth, NOW, planInput, seededRandom } from './support/routing-fixtures.ts';

const alpha = 'test/chat@alpha'; // $1 per million, blended
const beta = 'test/chat@beta'; // $2
const gamma = 'test/chat@gamma'; // $3

function firstPicks(draws: number, overrides: Parameters<typeof planInput>[0] = {}): Map<string, number> {
  const random = seededRandom(20_240_601);
  const counts = new Map<string, number>();
  for (let draw = 0; draw < draws; draw++) {
    const first = attemptIds(attemptPlan(planInput({ random, ...overrides })))[0] ?? 'none';
    counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return counts;
}

describe('attemptPlan: default price-weighted load balancing', () => {
  it('picks first in proportion to 1/price² over many seeded draws', () => {
    const draws = 20_000;
    const counts = firstPicks(draws);
    const weights = { [alpha]: 1, [beta]: 1 / 4, [gamma]: 1 / 9 };
    const total = weights[alpha] + weights[beta] + weights[gamma];
    for (const [id, weight] of Object.entries(weights)) {
      const expected = weight / total;
      // Binomial standard error at n = 20 000 is under 0.0032; allow five of them.
      expect(Math.abs((counts.get(id) ?? 0) / draws - expected)).toBeLessThan(0.016);
    }
  });

  it('keeps every endpoint in the plan as a fallback, each once', () => {
    const random = seededRandom(7);
    for (let draw = 0; draw < 50; draw++) {
      expect(attemptIds(attemptPlan(planInput({ random }))).sort()).toEqual([alpha, beta, gamma]);
    }
  });

  it('puts an endpoint that failed in the last 30 s last; A is 9× as likely as C to go first (§3.1 example)', () => {
    const health = fixedHealth({ [beta]: { lastFailureAt: NOW - 10_000 } });
    const random = seededRandom(99);
    const counts = new Map<string, number>();
    const draws = 10_000;
    for (let draw = 0; draw < draws; draw++) {
      const ids = attemptIds(attemptPlan(planInput({ random, health })));
      expect(ids[2]).toBe(beta);
      counts.set(ids[0] ?? '', (counts.get(ids[0] ?? '') ?? 0) + 1);
    }
    expect(Math.abs((counts.get(alpha) ?? 0) / draws - 0.9)).toBeLessThan(0.015);
  });

  it('treats a failure older than 30 s as recovered', () => {
    const health = fixedHealth({ [alpha]: { lastFailureAt: NOW - 30_000 } });
    expect(attemptIds(attemptPlan(planInput({ health })))[0]).toBe(alpha);
  });

  it('puts degraded endpoints last, cheapest first among them', () => {
    const health = fixedHealth({ [alpha]: { degraded: true }, [beta]: { degraded: true } });
    expect(attemptIds(attemptPlan(planInput({ health })))).toEqual([gamma, alpha, beta]);
  });

  it('draws free endpoints before any priced one', () => {
    const plan = attemptPlan(planInput({ random: () => 0.999, request: planInput().request }));
    expect(attemptIds(plan)[0]).toBe(gamma);
    const free = attemptPlan(
      planInput({ random: () => 0.999, request: { ...planInput().request, model: 'test/chat:free', models: ['test/chat'] } }),
    );
    expect(attemptIds(free)[0]).toBe('test/chat:free@beta');
  });

  it('demotes unhealthy endpoints under an explicit sort too, and an open breaker under an explicit order', () => {
    const health = fixedHealth({ [alpha]: { degraded: true } });
    const sorted = attemptPlan(planInput({ health, request: { ...planInput().request, provider: { sort: 'price' } } }));
    expect(attemptIds(sorted)).toEqual([beta, gamma, alpha]);
    const ordered = attemptPlan(planInput({ health, request: { ...planInput().request, provider: { order: ['alpha', 'gamma'] } } }));
    expect(attemptIds(ordered)).toEqual([gamma, beta, alpha]);
    expect(ordered.deprioritized).toEqual([{ endpoint: alpha, provider: 'Alpha AI', reason: 'breaker_open' }]);
  });

  it('keeps an explicit order for an endpoint that only failed recently (its breaker is closed)', () => {
    const health = fixedHealth({ [alpha]: { lastFailureAt: NOW - 10_000 } });
    const ordered = attemptPlan(planInput({ health, request: { ...planInput().request, provider: { order: ['alpha'] } } }));
    expect(attemptIds(ordered)).toEqual([alpha, beta, gamma]);
    expect(ordered.deprioritized).toEqual([]);
    const drawn = attemptPlan(planInput({ health }));
    expect(drawn.deprioritized).toEqual([{ endpoint: alpha, provider: 'Alpha AI', reason: 'failed_recently' }]);
  });

  it('still plans an endpoint whose breaker is open when it is the only one left', () => {
    const health = fixedHealth({ [alpha]: { degraded: true } });
    const only = attemptPlan(planInput({ health, request: { ...planInput().request, provider: { only: ['alpha'] } } }));
    expect(attemptIds(only)).toEqual([alpha]);
  });
});
