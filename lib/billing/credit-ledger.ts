// Admission and settlement of credits, with a fast path that keeps the
// database off the request path while a balance is far above a request's
// worst case (DESIGN decision 5).
//
// The exact path reserves each request's worst case with conditional writes
// before the upstream call (lib/billing/reservation.ts). The fast path leases
// a slice of the balance once (one conditional write: a hold like any other),
// admits requests against the lease in memory, and moves the charges from the
// lease to `spent` in batches. A lease is itself a reservation, so:
//   - overspend bound: zero. The balance can never go below zero, whatever
//     the concurrency: every admitted worst case is covered by a hold.
//   - loss bound: charges not yet flushed when a container dies are not
//     charged (in the customer's favour): at most one lease's worth, as the
//     lease expires and is reclaimed whole.
// Keys with their own limit, and balances that are low relative to the
// worst case, always take the exact path: no cache decides a close call.
//
// Many instances on one balance (a Lambda fleet: one request at a time per
// execution environment): a lease sized by the balance alone would lock most
// of it up in leases that each serve one request at a time, and refuse
// requests the balance covers. So an instance may size its leases by what it
// can use (`demandWorstCases`), gives a lease back as soon as it cannot admit
// the next request (its remainder returns to the balance at the next flush),
// and gives back a lease that has been idle (`idleReleaseMs`).
import { reserveCredits, settleHold, type Hold } from '../store/accounts.ts';
import { chargeLease, releaseLease } from '../store/leases.ts';
import { type KeyRecord } from '../store/keys.ts';
import { addKeySpend, type KeyHoldRef } from '../store/key-spend.ts';
import type { Table } from '../store/dynamo.ts';
import { periodsAt } from './periods.ts';
import { reserveForRequest } from './reservation.ts';

export interface LeasePolicy {
  /** A lease admits new requests for this long after it was taken. */
  admitWindowMs: number;
  /** A lease takes at most this fraction of the available balance… */
  fraction: number;
  /** …and at most this much, µ$. */
  maxMicros: number;
  /** The fast path is taken only when a lease covers this many worst cases. */
  minWorstCases: number;
  /** Charges are moved from leases to `spent` at least this often. */
  flushIntervalMs: number;
  /**
   * A lease holds at most this many worst cases of the request it is taken
   * for, times the most requests this instance had in flight at once since
   * its last lease (at least one). Undefined: sized by the balance alone.
   */
  demandWorstCases: number | undefined;
  /** A lease that admitted and settled nothing for this long is given back at the next flush. */
  idleReleaseMs: number;
}

export const defaultLeasePolicy: LeasePolicy = {
  admitWindowMs: 60_000,
  fraction: 0.1,
  maxMicros: 5_000_000,
  minWorstCases: 20,
  flushIntervalMs: 1_000,
  demandWorstCases: undefined,
  idleReleaseMs: 10_000,
};

/**
 * A Lambda execution environment serves one request at a time, and a fleet
 * of them shares each balance: a lease covers eight worst cases of that one
 * request, so fifty environments lease at most 400 worst cases between them
 * (bench/fleet.ts measures it; BENCHMARKS.md "A fleet on one balance").
 */
export const lambdaLeasePolicy: LeasePolicy = { ...defaultLeasePolicy, demandWorstCases: 8 };

export type Admission =
  | { kind: 'hold'; hold: Hold; accountId: string }
  | { kind: 'lease'; lease: Lease; amountMicros: number; key: KeyHoldRef };

export type AdmitResult = { ok: true; admission: Admission } | { ok: false; reason: 'credits' | 'key-limit' };

export interface Lease {
  id: string;
  accountId: string;
  /** What the lease's hold in the store holds now: granted minus flushed charges. */
  heldMicros: number;
  /** Worst cases of the requests admitted and not yet settled. */
  outstandingMicros: number;
  /** Charged locally, not yet flushed. */
  unflushedMicros: number;
  admitUntil: number;
  expiresAt: number;
  /** The last admission or settlement on it: what `idleReleaseMs` counts from. */
  lastUsedAt: number;
  flushing: Promise<void> | undefined;
  released: boolean;
}

interface AccountState {
  lease: Lease | undefined;
  retired: Lease[];
  /** What the store said was available after our last write, if we know. */
  knownAvailable: number | undefined;
  acquiring: Promise<void> | undefined;
  /** Requests of this account admitted here (either path) and not yet settled. */
  inFlight: number;
  /** The most in flight at once since the last lease was taken. */
  peakInFlight: number;
}

export interface CreditLedger {
  admit(key: KeyRecord, holdId: string, amountMicros: number): Promise<AdmitResult>;
  /** Charge `chargeMicros` (at most what was admitted) and release the rest. */
  settle(admission: Admission, chargeMicros: number): Promise<void>;
  /** Move every local charge to the store; release drained, retired leases. */
  flush(): Promise<void>;
  /**
   * At shutdown, once every admitted request is settled: flush every charge
   * and return every lease, open ones too, to its balance, so nothing stays
   * held until the TTL. Admits nothing on a lease afterwards.
   */
  releaseLeases(): Promise<void>;
}

export interface CreditLedgerOptions {
  table: Table;
  now: () => number;
  holdTtlMs: number;
  policy?: LeasePolicy;
  log: (entry: Record<string, unknown>) => void;
  /** Unique per container, so two containers' leases never share an id. */
  instanceId: string;
  /**
   * Awaited before any charge reaches the store (a lease's batch, a hold's
   * settlement): the edge writes the generation records queued so far, so a
   * process that dies between the two leaves a record without a charge (in
   * the customer's favour), never a charge without its record.
   */
  beforeCharging?: () => Promise<void>;
}

export function createCreditLedger(options: CreditLedgerOptions): CreditLedger {
  const { table, now, log } = options;
  const policy = options.policy ?? defaultLeasePolicy;
  const accounts = new Map<string, AccountState>();
  const keySpend = new Map<string, { ref: KeyHoldRef; micros: number }>();
  let leaseCount = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set by releaseLeases: no new lease is taken, every request takes the exact path. */
  let leasesClosed = false;

  const stateOf = (accountId: string): AccountState => {
    let state = accounts.get(accountId);
    if (state === undefined) {
      state = { lease: undefined, retired: [], knownAvailable: undefined, acquiring: undefined, inFlight: 0, peakInFlight: 0 };
      accounts.set(accountId, state);
    }
    return state;
  };

  const room = (lease: Lease | undefined, at: number): number =>
    lease === undefined || at >= lease.admitUntil ? -1 : lease.heldMicros - lease.unflushedMicros - lease.outstandingMicros;

  /** The most a lease may take of `available`: what decides whether the fast path is open at all. */
  const leaseSize = (available: number): number => Math.min(policy.maxMicros, Math.floor(available * policy.fraction));
  /** What this instance can use: `demandWorstCases` worst cases per request it has had in flight at once. */
  const demandSize = (state: AccountState, amountMicros: number): number =>
    policy.demandWorstCases === undefined ? Number.POSITIVE_INFINITY : policy.demandWorstCases * Math.max(1, state.peakInFlight) * amountMicros;

  function retire(state: AccountState): void {
    if (state.lease === undefined) return;
    state.retired.push(state.lease);
    state.lease = undefined;
    scheduleFlush();
  }

  async function acquire(state: AccountState, accountId: string, at: number, amountMicros: number): Promise<void> {
    const size = Math.min(leaseSize(state.knownAvailable ?? 0), demandSize(state, amountMicros));
    state.peakInFlight = state.inFlight;
    const id = `lease-${options.instanceId}-${(leaseCount += 1)}`;
    const expiresAt = at + options.holdTtlMs;
    const result = await reserveCredits(table, accountId, { id, amountMicros: size, expiresAt });
    if (!result.ok) {
      state.knownAvailable = undefined;
      return;
    }
    state.knownAvailable = result.availableMicros;
    if (state.lease !== undefined) state.retired.push(state.lease);
    state.lease = {
      id,
      accountId,
      heldMicros: size,
      outstandingMicros: 0,
      unflushedMicros: 0,
      admitUntil: at + policy.admitWindowMs,
      expiresAt,
      lastUsedAt: at,
      flushing: undefined,
      released: false,
    };
  }

  function admitOnLease(state: AccountState, key: KeyRecord, amountMicros: number, at: number): AdmitResult | undefined {
    const lease = state.lease;
    if (lease === undefined || room(lease, at) < amountMicros) return undefined;
    lease.outstandingMicros += amountMicros;
    lease.lastUsedAt = at;
    state.inFlight += 1;
    return { ok: true, admission: { kind: 'lease', lease, amountMicros, key: { hash: key.hash, ...periodsAt(at) } } };
  }

  function scheduleFlush(): void {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void ledger.flush();
    }, policy.flushIntervalMs);
    // Never the reason a process stays alive; drain() flushes explicitly.
    (timer as { unref?: () => void }).unref?.();
  }

  async function flushLease(lease: Lease): Promise<void> {
    while (lease.flushing !== undefined) await lease.flushing;
    const charge = lease.unflushedMicros;
    if (charge === 0) return;
    lease.flushing = (async () => {
      const outcome = await chargeLease(table, lease.accountId, lease.id, lease.heldMicros, charge);
      if (outcome === 'lost') log({ level: 'error', message: 'lease charge not applied: the lease was reclaimed and the balance could not cover it', lease: lease.id, micros: charge });
      lease.heldMicros -= charge;
      lease.unflushedMicros -= charge;
    })();
    try {
      await lease.flushing;
    } catch (error) {
      log({ level: 'error', message: 'lease flush failed; will retry', lease: lease.id, error: String(error) });
    } finally {
      lease.flushing = undefined;
    }
  }

  const ledger: CreditLedger = {
    async admit(key, holdId, amountMicros) {
      const at = now();
      // A key's own limit is checked exactly, per request.
      if (key.limitMicros !== null) return reserveExactly(key, holdId, amountMicros, at, undefined);
      const state = stateOf(key.accountId);
      state.peakInFlight = Math.max(state.peakInFlight, state.inFlight + 1);
      const fast = leasesClosed ? undefined : admitOnLease(state, key, amountMicros, at);
      if (fast !== undefined) return fast;
      // The lease cannot take this request: give it back (once its requests settle), so
      // its remainder returns to the balance instead of waiting out its window here.
      if (state.acquiring === undefined) retire(state);
      const known = state.knownAvailable;
      if (!leasesClosed && known !== undefined && leaseSize(known) >= policy.minWorstCases * amountMicros) {
        state.acquiring ??= acquire(state, key.accountId, at, amountMicros).finally(() => (state.acquiring = undefined));
        await state.acquiring;
        const leased = admitOnLease(state, key, amountMicros, at);
        if (leased !== undefined) return leased;
      }
      return reserveExactly(key, holdId, amountMicros, at, state);
    },

    async settle(admission, chargeMicros) {
      const state = stateOf(admission.kind === 'hold' ? admission.accountId : admission.lease.accountId);
      state.inFlight = Math.max(0, state.inFlight - 1);
      if (admission.kind === 'hold') {
        await options.beforeCharging?.();
        const settled = await settleHold(table, admission.accountId, admission.hold, chargeMicros);
        if (settled.settled) stateOf(admission.accountId).knownAvailable = settled.availableMicros;
        return;
      }
      const { lease, amountMicros, key } = admission;
      const charge = Math.min(Math.max(0, chargeMicros), amountMicros);
      lease.outstandingMicros -= amountMicros;
      lease.unflushedMicros += charge;
      lease.lastUsedAt = now();
      if (charge > 0) {
        const id = `${key.hash}:${key.day}`;
        const pending = keySpend.get(id);
        if (pending === undefined) keySpend.set(id, { ref: key, micros: charge });
        else pending.micros += charge;
      }
      scheduleFlush();
    },

    async flush() {
      const at = now();
      const work: Promise<void>[] = [];
      if ([...accounts.values()].some((state) => [state.lease, ...state.retired].some((lease) => lease !== undefined && lease.unflushedMicros > 0))) {
        await options.beforeCharging?.();
      }
      for (const state of accounts.values()) {
        const current = state.lease;
        const idle = current !== undefined && current.outstandingMicros === 0 && at - current.lastUsedAt >= policy.idleReleaseMs;
        if (current !== undefined && (at >= current.admitUntil || idle)) {
          state.retired.push(current);
          state.lease = undefined;
        }
        for (const lease of [state.lease, ...state.retired]) if (lease !== undefined) work.push(flushLease(lease));
      }
      const spends = [...keySpend.values()];
      keySpend.clear();
      for (const { ref, micros } of spends) {
        work.push(addKeySpend(table, ref, micros).catch((error: unknown) => log({ level: 'error', message: 'key spend not recorded', key: ref.hash.slice(0, 16), micros, error: String(error) })));
      }
      await Promise.all(work);
      for (const state of accounts.values()) {
        const open: Lease[] = [];
        for (const lease of state.retired) {
          if (lease.outstandingMicros > 0 || lease.unflushedMicros > 0) open.push(lease);
          else if (!lease.released) {
            lease.released = true;
            const released = await releaseLease(table, lease.accountId, lease.id, lease.heldMicros).catch((error: unknown) => {
              log({ level: 'error', message: 'lease release failed; it will be reclaimed', lease: lease.id, error: String(error) });
              return undefined;
            });
            if (released !== undefined) state.knownAvailable = released;
          }
        }
        state.retired = open;
      }
      // Come back while any lease is open, so that it retires and returns what it holds.
      if ([...accounts.values()].some((state) => state.lease !== undefined || state.retired.length > 0)) scheduleFlush();
    },

    async releaseLeases() {
      leasesClosed = true;
      for (const state of accounts.values()) {
        if (state.lease === undefined) continue;
        state.retired.push(state.lease);
        state.lease = undefined;
      }
      await ledger.flush();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };

  async function reserveExactly(
    key: KeyRecord,
    holdId: string,
    amountMicros: number,
    at: number,
    state: AccountState | undefined,
  ): Promise<AdmitResult> {
    const reservation = await reserveForRequest(table, { key, holdId, amountMicros, now: at, ttlMs: options.holdTtlMs });
    if (!reservation.ok) return reservation;
    // What the balance is now decides whether the next request may lease.
    if (state !== undefined) state.knownAvailable = reservation.availableMicros;
    stateOf(key.accountId).inFlight += 1;
    return { ok: true, admission: { kind: 'hold', hold: reservation.hold, accountId: key.accountId } };
  }

  return ledger;
}
