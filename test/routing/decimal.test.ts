import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDecimal, compareDecimal, decimalFromLimit } from '../../lib/routing/decimal.ts';

describe('decimal prices', () => {
  it.each([
    ['0.15', '0.150', 0],
    ['0.1', '0.09999999', 1],
    ['3', '10', -1],
    ['2.5', '2.50001', -1],
  ] as const)('compares %s with %s', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
  });

  it.each([
    ['0.1', '0.2', '0.3'],
    ['0.15', '0.6', '0.75'],
    ['2.5', '10', '12.5'],
    ['0', '0', '0'],
    ['0.000001', '0.999999', '1'],
  ])('adds %s and %s exactly', (a, b, sum) => {
    expect(addDecimal(a, b)).toBe(sum);
  });

  it.each([
    [0.1, '0.1'],
    [2, '2'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [1e21, '1000000000000000000000'],
    ['0.30', '0.30'],
  ] as const)('reads the limit %s as %s', (limit, text) => {
    expect(decimalFromLimit(limit)).toBe(text);
  });

  it('agrees with integer arithmetic on micro-dollar prices', () => {
    const micros = fc.integer({ min: 0, max: 999_999_999_999 });
    const asDecimal = (value: number): string => {
      const text = value.toString().padStart(7, '0');
      return `${text.slice(0, -6)}.${text.slice(-6)}`;
    };
    fc.assert(
      fc.property(micros, micros, (a, b) => {
        expect(compareDecimal(asDecimal(a), asDecimal(b))).toBe(Math.sign(a - b) || 0);
        expect(compareDecimal(addDecimal(asDecimal(a), asDecimal(b)), asDecimal(a + b))).toBe(0);
      }),
    );
  });

  it('rejects what is not a non-negative decimal', () => {
    expect(() => compareDecimal('-1', '1')).toThrow(RangeError);
    expect(() => decimalFromLimit(Number.NaN)).toThrow(RangeError);
  });
});
