import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costOf, microsToUsd, picoPerToken, usdToMicros, worstCaseMicros } from '../../lib/billing/cost.ts';
import { emptyUsage } from '../../lib/streaming/events.ts';

const usage = (fields: Partial<ReturnType<typeof emptyUsage>>) => ({ ...emptyUsage(), ...fields });

describe('prices as exact decimals', () => {
  it('parses USD per million tokens into pico-dollars per token', () => {
    expect(picoPerToken('3')).toBe(3_000_000n);
    expect(picoPerToken('0.15')).toBe(150_000n);
    expect(picoPerToken('0.000001')).toBe(1n);
    expect(picoPerToken('0.075')).toBe(75_000n);
  });

  it('converts USD to micro-dollars and back', () => {
    expect(usdToMicros('10')).toBe(10_000_000);
    expect(usdToMicros(0.1)).toBe(100_000);
    expect(usdToMicros('0.0000019')).toBe(1);
    expect(microsToUsd(1_500_000)).toBe(1.5);
    expect(() => usdToMicros('-1')).toThrow(RangeError);
  });
});

describe('costOf', () => {
  const pricing = { prompt: '3', completion: '15', cacheRead: '0.3', cacheWrite: '3.75' };

  it('charges every kind of token at its own rate', () => {
    // 1000 uncached × 3 + 200 cached × 0.3 + 100 written × 3.75 + 50 output × 15 µ$
    const cost = costOf(usage({ promptTokens: 1300, cachedTokens: 200, cacheWriteTokens: 100, completionTokens: 50 }), pricing);
    expect(cost).toEqual({ promptMicros: 3435, completionMicros: 750, totalMicros: 4185 });
  });

  it('rounds the exact total up once, to a whole micro-dollar', () => {
    const cost = costOf(usage({ promptTokens: 3, completionTokens: 1 }), { prompt: '0.15', completion: '0.6' });
    // 3 × 0.15 + 1 × 0.6 = 1.05 µ$
    expect(cost.totalMicros).toBe(2);
    expect(costOf(usage({ promptTokens: 10, completionTokens: 0 }), { prompt: '0.1', completion: '0.1' }).totalMicros).toBe(1);
  });

  it('is zero for no tokens', () => {
    expect(costOf(emptyUsage(), pricing).totalMicros).toBe(0);
  });

  it('adds a per-request price in USD', () => {
    expect(costOf(emptyUsage(), { prompt: '1', completion: '1', request: '0.002' }).totalMicros).toBe(2_000);
  });

  it('equals the exact rational cost rounded up, for any counts and prices', () => {
    const price = fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 999_999 })).map(([whole, micro]) => `${whole}.${String(micro).padStart(6, '0')}`);
    fc.assert(
      fc.property(price, price, fc.nat({ max: 2_000_000 }), fc.nat({ max: 200_000 }), (prompt, completion, promptTokens, completionTokens) => {
        const cost = costOf(usage({ promptTokens, completionTokens }), { prompt, completion });
        const exactPico = BigInt(promptTokens) * picoPerToken(prompt) + BigInt(completionTokens) * picoPerToken(completion);
        expect(BigInt(cost.totalMicros) * 1_000_000n >= exactPico).toBe(true);
        expect(BigInt(cost.totalMicros - 1) * 1_000_000n < exactPico || cost.totalMicros === 0).toBe(true);
      }),
    );
  });
});

describe('worstCaseMicros', () => {
  it('bounds the cost of any outcome within the caps', () => {
    const pricing = { prompt: '3', completion: '15', cacheRead: '0.3', cacheWrite: '3.75' };
    const worst = worstCaseMicros(1000, 100, pricing);
    expect(worst).toBe(1000 * 3.75 + 100 * 15);
    for (const cached of [0, 500, 1000]) {
      const actual = costOf(usage({ promptTokens: 1000, cacheWriteTokens: 1000 - cached, cachedTokens: cached, completionTokens: 100 }), pricing);
      expect(actual.totalMicros).toBeLessThanOrEqual(worst);
    }
  });
});
