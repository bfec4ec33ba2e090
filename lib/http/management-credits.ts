// GET /api/v1/credits (OpenRouter's shape, openrouter-api.md §1.3: USD
// `total_credits` and `total_usage`; balance = credits − usage) for either
// kind of key of the account, and Switchyard's POST /api/v1/credits
// `{amount}` for a management key to add credits to its account.
import { invalidRequest } from '../api/errors.ts';
import { parseOrThrow } from '../api/validate.ts';
import { microsToUsd, usdToMicros } from '../billing/cost.ts';
import { addCreditsBody } from '../keys/management-requests.ts';
import { addCredits, createAccount, getAccount, type Account, type Hold } from '../store/accounts.ts';
import { authenticate } from '../keys/authenticate.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { managementKey, readManagementBody } from './management-request.ts';
import { json } from '../api/reply.ts';
import type { GatewayRequest, Reply } from '../api/reply.ts';

// A request's own hold names the key that made it (lib/billing/reservation.ts);
// a lease, credit a running gateway holds for the next requests of any key
// (lib/billing/credit-ledger.ts), names none. Requests admitted on a lease are
// paid from it and have no hold of their own: the store cannot count them.
const isLease = (hold: Hold): boolean => hold.key === undefined;
const sum = (holds: readonly Hold[]): number => holds.reduce((total, hold) => total + hold.amountMicros, 0);

function creditsToWire(account: Account | undefined): Record<string, unknown> {
  const holds = account?.holds ?? [];
  const requestHolds = holds.filter((hold) => !isLease(hold));
  const leases = holds.filter(isLease);
  return {
    data: {
      total_credits: microsToUsd(account?.creditsMicros ?? 0),
      total_usage: microsToUsd(account?.spentMicros ?? 0),
      // Switchyard's: everything held (available = credits − usage − reserved), then its two parts,
      // and what new requests may still reserve.
      reserved: microsToUsd(sum(holds)),
      reserved_by_requests: microsToUsd(sum(requestHolds)),
      requests_in_flight: requestHolds.length,
      reserved_by_leases: microsToUsd(sum(leases)),
      leases: leases.length,
      available: microsToUsd(account?.availableMicros ?? 0),
    },
  };
}

export async function creditsRoute(request: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const caller = await authenticate(request.headers, deps.keys, 'any', deps.now());
  return json(creditsToWire(await getAccount(deps.table, caller.accountId)));
}

export async function addCreditsRoute(request: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const { amount } = parseOrThrow(addCreditsBody, await readManagementBody(request));
  const micros = usdToMicros(Math.abs(amount)) * Math.sign(amount);
  if (micros === 0) throw invalidRequest('Request is invalid: `amount` is less than one micro-dollar', { field: 'amount' });
  let account = await addCredits(deps.table, caller.accountId, micros);
  // A management key may come before its account's first credits.
  if (account === undefined && micros > 0 && (await createAccount(deps.table, caller.accountId, new Date(deps.now()).toISOString()))) {
    account = await addCredits(deps.table, caller.accountId, micros);
  }
  if (account === undefined) {
    throw invalidRequest('Request is invalid: `amount` would take the available balance below zero', { field: 'amount' });
  }
  return json(creditsToWire(account));
}
