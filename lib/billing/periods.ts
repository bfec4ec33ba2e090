// Spending periods of a key, as OpenRouter defines them for `limit_reset`:
// they start at 00:00 UTC; weeks run Monday to Sunday (openrouter-api.md
// §6.1). A period is named by its first day, so a name is also a counter's
// attribute name and never needs resetting: a new period is a new name.

/** How often a key's spending limit starts again (at 00:00 UTC; weeks start on Monday). */
export type LimitReset = 'daily' | 'weekly' | 'monthly';

export interface PeriodIds {
  /** `2026-08-22` */
  day: string;
  /** The Monday the week starts on: `2026-08-17` */
  week: string;
  /** `2026-08` */
  month: string;
}

const DAY_MS = 86_400_000;

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** 00:00 UTC of the day `ms` falls in. */
const startOfDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** 00:00 UTC of the Monday of the week `ms` falls in. */
function startOfWeek(ms: number): number {
  const day = startOfDay(ms);
  // getUTCDay: 0 = Sunday … 6 = Saturday; a week starts on Monday.
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return day - sinceMonday * DAY_MS;
}

function startOfMonth(ms: number, monthsLater = 0): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + monthsLater, 1);
}

export function periodsAt(now: number): PeriodIds {
  return { day: isoDay(now), week: isoDay(startOfWeek(now)), month: isoDay(startOfMonth(now)).slice(0, 7) };
}

/** When the current period of a limit ends (the next 00:00 UTC boundary); null when it never resets. */
export function resetsAt(reset: LimitReset | null, now: number): number | null {
  switch (reset) {
    case 'daily':
      return startOfDay(now) + DAY_MS;
    case 'weekly':
      return startOfWeek(now) + 7 * DAY_MS;
    case 'monthly':
      return startOfMonth(now, 1);
    case null:
      return null;
  }
}

/**
 * Periods that ended some time ago: their counters are no longer reported
 * and may be dropped. `back` whole periods before the current one, oldest
 * last.
 */
export function pastPeriods(now: number, from: number, to: number): PeriodIds[] {
  const past: PeriodIds[] = [];
  for (let back = from; back <= to; back++) {
    past.push({
      day: isoDay(startOfDay(now) - back * DAY_MS),
      week: isoDay(startOfWeek(now) - back * 7 * DAY_MS),
      month: isoDay(startOfMonth(now, -back)).slice(0, 7),
    });
  }
  return past;
}
