import { describe, expect, it } from 'vitest';
import { pastPeriods, periodsAt, resetsAt } from '../../lib/billing/periods.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

describe('spending periods (00:00 UTC, weeks Monday to Sunday)', () => {
  it('names the day, the Monday of the week and the month', () => {
    expect(periodsAt(at('2026-08-22T23:59:59.999Z'))).toEqual({ day: '2026-08-22', week: '2026-08-17', month: '2026-08' });
    expect(periodsAt(at('2026-08-23T12:00:00Z')).week).toBe('2026-08-17'); // Sunday ends the week
    expect(periodsAt(at('2026-08-24T00:00:00Z')).week).toBe('2026-08-24'); // Monday starts the next
    expect(periodsAt(at('2027-01-01T00:00:00Z'))).toEqual({ day: '2027-01-01', week: '2026-12-28', month: '2027-01' });
  });

  it('resets at the next boundary', () => {
    const saturday = at('2026-08-22T10:00:00Z');
    expect(iso(resetsAt('daily', saturday))).toBe('2026-08-23T00:00:00.000Z');
    expect(iso(resetsAt('weekly', saturday))).toBe('2026-08-24T00:00:00.000Z');
    expect(iso(resetsAt('monthly', saturday))).toBe('2026-09-01T00:00:00.000Z');
    expect(iso(resetsAt('monthly', at('2026-12-31T23:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(resetsAt('weekly', at('2026-08-24T00:00:00Z')))).toBe('2026-08-31T00:00:00.000Z');
    expect(resetsAt(null, saturday)).toBeNull();
  });

  it('lists past periods, most recent first', () => {
    expect(pastPeriods(at('2026-03-02T05:00:00Z'), 2, 3)).toEqual([
      { day: '2026-02-28', week: '2026-02-16', month: '2026-01' },
      { day: '2026-02-27', week: '2026-02-09', month: '2025-12' },
    ]);
  });
});
