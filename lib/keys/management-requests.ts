// Bodies and queries of the key-management API (openrouter-api.md §1.3),
// validated strictly so a mistake names its field. Money arrives in USD and
// becomes integer µ$ here (DESIGN decision 2).
import { z } from 'zod';
import { usdToMicros } from '../billing/cost.ts';
import type { LimitReset } from '../billing/periods.ts';
import type { KeyPatch } from '../store/keys.ts';

const MAX_USD = 1_000_000_000;

const usd = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_USD)
  .refine((value) => Math.abs(value * 1e6 - Math.round(value * 1e6)) < 1e-6, 'must have at most 6 decimals (whole micro-dollars)');

const limitReset = z.enum(['daily', 'weekly', 'monthly']);
const expiresAt = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z' });
const requestsPerMinute = z.number().int().positive().max(1_000_000);

export const createKeyBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  limit: usd.nullish(),
  limit_reset: limitReset.nullish(),
  include_byok_in_limit: z.boolean().optional(),
  expires_at: expiresAt.nullish(),
  /** Switchyard: a per-key request rate limit. */
  requests_per_minute: requestsPerMinute.nullish(),
  // OpenRouter's organisation fields: accepted, not used.
  workspace_id: z.string().nullish(),
  creator_user_id: z.string().nullish(),
});
export type CreateKeyBody = z.infer<typeof createKeyBody>;

export const patchKeyBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  disabled: z.boolean().optional(),
  limit: usd.nullish(),
  limit_reset: limitReset.nullish(),
  include_byok_in_limit: z.boolean().optional(),
  expires_at: expiresAt.nullish(),
  requests_per_minute: requestsPerMinute.nullish(),
});
export type PatchKeyBody = z.infer<typeof patchKeyBody>;

export const addCreditsBody = z.strictObject({
  /** USD; negative to correct a mistake, never below what is available. */
  amount: z
    .number()
    .finite()
    .min(-MAX_USD)
    .max(MAX_USD)
    .refine((value) => value !== 0, 'must not be zero'),
});

export const listKeysQuery = z.strictObject({
  include_disabled: z.enum(['true', 'false']).optional(),
  offset: z.coerce.number().int().nonnegative().optional(),
  workspace_id: z.string().optional(),
});

const micros = (value: number | null | undefined): number | null | undefined =>
  value === undefined ? undefined : value === null ? null : usdToMicros(value);

/** Only the fields the body names; `null` clears a field. */
export function keyPatchFrom(body: PatchKeyBody): KeyPatch {
  const patch: KeyPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.disabled !== undefined) patch.disabled = body.disabled;
  if (body.limit !== undefined) patch.limitMicros = micros(body.limit) ?? null;
  if (body.limit_reset !== undefined) patch.limitReset = (body.limit_reset ?? null) as LimitReset | null;
  if (body.include_byok_in_limit !== undefined) patch.includeByokInLimit = body.include_byok_in_limit;
  if (body.expires_at !== undefined) patch.expiresAt = body.expires_at === null ? null : new Date(body.expires_at).toISOString();
  if (body.requests_per_minute !== undefined) patch.requestsPerMinute = body.requests_per_minute ?? null;
  return patch;
}
