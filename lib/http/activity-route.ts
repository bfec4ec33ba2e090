// GET /api/v1/activity (OpenRouter's shape, openrouter-api.md §1.3: the last
// 30 completed UTC days per day and endpoint, `date` and `api_key_hash`
// filters) and Switchyard's GET /api/v1/activity/summary (the dashboard's
// series, breakdowns and latency percentiles over a window of hours or
// days). Management keys only; the caller's account only. Both read the
// hourly rollups: one Query per UTC day, whatever the number of requests.
import { z } from 'zod';
import { invalidRequest } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { json } from '../api/reply.ts';
import { activityItems, activitySummary, type Granularity } from '../dashboard/activity-summary.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { readDayRollups, type ActivityRollup } from '../store/activity-rollups.ts';
import type { Table } from '../store/dynamo.ts';
import { managementKey } from './management-request.ts';
import { knownParamsOnly } from './query-params.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** OpenRouter's window, and the longest summary window (rollups are kept 32 days). */
export const ACTIVITY_DAYS = 30;
/** Day partitions read at once. */
const DAY_READ_CONCURRENCY = 6;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC date, YYYY-MM-DD').refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'is not a calendar date');
const keyHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a key hash: 64 lowercase hex digits, as the keys API returns it');
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z' });

const activityQuery = z.strictObject({ date: isoDay.optional(), api_key_hash: keyHash.optional() });
const summaryQuery = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
  granularity: z.enum(['hour', 'day']).optional(),
  api_key_hash: keyHash.optional(),
});

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const startOfDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The rollups of these UTC days, a few days at a time. */
async function rollupsOfDays(table: Table, accountId: string, days: readonly string[], nowMs: number): Promise<ActivityRollup[]> {
  const rollups: ActivityRollup[] = [];
  for (let start = 0; start < days.length; start += DAY_READ_CONCURRENCY) {
    const pages = await Promise.all(days.slice(start, start + DAY_READ_CONCURRENCY).map((day) => readDayRollups(table, accountId, day, nowMs)));
    for (const page of pages) rollups.push(...page);
  }
  return rollups;
}

function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let day = startOfDay(fromMs); day < toMs; day += DAY_MS) days.push(dayOf(day));
  return days;
}

/** Keys are named by their hash; rollups by its first 16 digits, as usage records are. */
const byKey = (rollups: ActivityRollup[], hash: string | undefined): ActivityRollup[] =>
  hash === undefined ? rollups : rollups.filter((rollup) => rollup.keyHashPrefix === hash.slice(0, 16));

export async function activityRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const query = parseOrThrow(activityQuery, knownParamsOnly(url, Object.keys(activityQuery.shape)), 'Query');
  const now = deps.now();
  const today = startOfDay(now);
  let days: string[];
  if (query.date === undefined) {
    days = daysBetween(today - ACTIVITY_DAYS * DAY_MS, today);
  } else {
    const asked = Date.parse(`${query.date}T00:00:00Z`);
    // Today is allowed by name (its counts are still growing); the default leaves it out, as OpenRouter does.
    if (asked > today || asked < today - ACTIVITY_DAYS * DAY_MS) {
      throw invalidRequest(`Query is invalid: \`date\` must be one of the last ${ACTIVITY_DAYS} UTC days or today`, { field: 'date' });
    }
    days = [query.date];
  }
  await deps.generations.flush();
  const rollups = byKey(await rollupsOfDays(deps.table, caller.accountId, days, now), query.api_key_hash);
  return json({ data: activityItems(rollups) });
}

export async function activitySummaryRoute(request: GatewayRequest, url: URL, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const query = parseOrThrow(summaryQuery, knownParamsOnly(url, Object.keys(summaryQuery.shape)), 'Query');
  const granularity: Granularity = query.granularity ?? 'hour';
  const step = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const now = deps.now();
  // Whole hours (or days): the rollups' resolution.
  const toMs = Math.ceil((query.to === undefined ? now : Date.parse(query.to)) / step) * step;
  const fromMs = Math.floor((query.from === undefined ? toMs - (granularity === 'hour' ? DAY_MS : 7 * DAY_MS) : Date.parse(query.from)) / step) * step;
  if (fromMs >= toMs) throw invalidRequest('Query is invalid: `from` must be before `to`', { field: 'from' });
  if (toMs - fromMs > (ACTIVITY_DAYS + 1) * DAY_MS) {
    throw invalidRequest(`Query is invalid: \`from\` is more than ${ACTIVITY_DAYS + 1} days before \`to\``, { field: 'from' });
  }
  await deps.generations.flush();
  const rollups = byKey(await rollupsOfDays(deps.table, caller.accountId, daysBetween(fromMs, toMs), now), query.api_key_hash);
  return json({ data: activitySummary(rollups, { fromMs, toMs, granularity }) });
}
