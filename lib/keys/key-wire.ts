// Keys in OpenRouter's shapes (openrouter-api.md §6.1): the `Key` object of
// the `/keys` routes and the calling key's `GET /key` object. Money in USD
// numbers; `usage*` count settled charges, `limit_remaining` also deducts
// requests in flight (what a new request may still reserve).
import { microsToUsd } from '../billing/cost.ts';
import { periodsAt, resetsAt } from '../billing/periods.ts';
import { limitPeriod } from '../billing/reservation.ts';
import { type StoredKey } from '../store/keys.ts';
import { spentIn } from '../store/key-spend.ts';

export interface KeyUsage {
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  limit_remaining: number | null;
}

export function keyUsage({ record, spend }: StoredKey, now: number): KeyUsage {
  const periods = periodsAt(now);
  const spent = (period: 'total' | 'day' | 'week' | 'month'): number => microsToUsd(spentIn(spend, period, periods).spentMicros);
  const used = spentIn(spend, limitPeriod(record.limitReset), periods).usedMicros;
  return {
    usage: spent('total'),
    usage_daily: spent('day'),
    usage_weekly: spent('week'),
    usage_monthly: spent('month'),
    limit_remaining: record.limitMicros === null ? null : microsToUsd(Math.max(0, record.limitMicros - used)),
  };
}

const BYOK_USAGE = { byok_usage: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0 };

function limitFields(stored: StoredKey, now: number): Record<string, unknown> {
  const { record } = stored;
  const resets = record.limitMicros === null ? null : resetsAt(record.limitReset, now);
  return {
    limit: record.limitMicros === null ? null : microsToUsd(record.limitMicros),
    limit_reset: record.limitReset,
    // Switchyard: when the current limit period ends.
    limit_resets_at: resets === null ? null : new Date(resets).toISOString(),
    include_byok_in_limit: record.includeByokInLimit ?? false,
  };
}

/** The `Key` object of `/api/v1/keys`. */
export function keyToWire(stored: StoredKey, now: number): Record<string, unknown> {
  const { record } = stored;
  const usage = keyUsage(stored, now);
  return {
    hash: record.hash,
    name: record.name,
    label: record.label,
    disabled: record.disabled,
    ...limitFields(stored, now),
    limit_remaining: usage.limit_remaining,
    usage: usage.usage,
    usage_daily: usage.usage_daily,
    usage_weekly: usage.usage_weekly,
    usage_monthly: usage.usage_monthly,
    ...BYOK_USAGE,
    created_at: record.createdAt,
    updated_at: record.updatedAt === record.createdAt ? null : record.updatedAt,
    expires_at: record.expiresAt,
    workspace_id: null,
    // Switchyard: the key's request rate limit, or null for none.
    requests_per_minute: record.requestsPerMinute,
  };
}

/** The calling key's `GET /api/v1/key` object. */
export function keyInfoToWire(stored: StoredKey, now: number): Record<string, unknown> {
  const { record } = stored;
  const usage = keyUsage(stored, now);
  const management = record.kind === 'management';
  return {
    label: record.label,
    name: record.name,
    ...limitFields(stored, now),
    limit_remaining: usage.limit_remaining,
    usage: usage.usage,
    usage_daily: usage.usage_daily,
    usage_weekly: usage.usage_weekly,
    usage_monthly: usage.usage_monthly,
    ...BYOK_USAGE,
    is_free_tier: false,
    is_management_key: management,
    is_provisioning_key: management,
    rate_limit:
      record.requestsPerMinute === null
        ? { requests: -1, interval: '1m', note: 'This key has no request rate limit of its own.' }
        : { requests: record.requestsPerMinute, interval: '1m', note: 'Requests per UTC minute for this key; over it, 429 with Retry-After.' },
    creator_user_id: null,
    expires_at: record.expiresAt,
  };
}
