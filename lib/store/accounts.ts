// Credits: one item per account holds the balance and every open
// reservation ("hold"), so reserving and settling are single-item
// conditional writes. DynamoDB conditions cannot do arithmetic, so the item
// keeps `available` (credits − spent − held) ready to compare (DESIGN
// decision 5; reliability.md §3).
//
// A request also holds the same amount on its key (lib/store/keys.ts): the
// account's hold points at it, so settling or reclaiming the account's hold
// settles the key's too, and every caller moves both.
//
// Accounts are listed (the reclaim sweep) through the listing index
// (lib/store/table.ts), never by a scan.
import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, map, N, num, S, str, type Item, type Table } from './dynamo.ts';
import { decodeHold, encodeHold } from './holds.ts';
import { reclaimExpiredHoldsOfKey } from './keys.ts';
import { settleKeySpend, type KeyHoldRef } from './key-spend.ts';
import { LISTING_INDEX } from './table.ts';

export interface Hold {
  /** The generation id the hold is for. */
  id: string;
  amountMicros: number;
  /** Epoch ms after which the hold may be reclaimed. */
  expiresAt: number;
  /** The key holding the same amount, if any. */
  key?: KeyHoldRef | undefined;
}

export interface Account {
  id: string;
  /** Everything ever added, µ$. */
  creditsMicros: number;
  /** Everything settled, µ$. */
  spentMicros: number;
  /** credits − spent − held: what new requests may reserve, µ$. */
  availableMicros: number;
  holds: Hold[];
  createdAt: string;
}

/** The primary key of an account's item. */
export const accountKey = (id: string): Item => ({ pk: S(`ACCOUNT#${id}`), sk: S('ACCOUNT') });

/** Where every account is listed in the listing index. */
const ACCOUNTS_LISTING = 'ACCOUNTS';

/** The listing-index attributes of an account's item (written at creation, and by the backfill). */
export const accountListing = (id: string): Item => ({ [LISTING_INDEX.partitionKey]: S(ACCOUNTS_LISTING), [LISTING_INDEX.sortKey]: S(id) });

/** Named conditions of the account item's writes: what each guarantees. */
const conditions = {
  /** Creating never overwrites an account (and its balance). */
  accountIsNew: 'attribute_not_exists(pk)',
  accountExists: 'attribute_exists(pk)',
  /** A negative correction may not take the balance below zero. */
  correctionCovered: 'attribute_exists(pk) AND available >= :needed',
  /** The balance covers the hold, and this generation holds nothing yet (a retry never holds twice). */
  balanceCovers: 'available >= :amount AND attribute_not_exists(holds.#hold)',
  /** The hold is still there with its amount: a settlement applies once. */
  notYetSettled: 'holds.#hold.a = :amount',
} as const;

function accountFromItem(item: Item): Account | undefined {
  const id = str(item, 'accountId');
  if (id === undefined) return undefined;
  const holds: Hold[] = [];
  for (const [holdId, value] of Object.entries(map(item, 'holds') ?? {})) {
    if (value.M === undefined) continue;
    const { amountMicros, expiresAt, periods, keyHash } = decodeHold(value.M);
    holds.push({ id: holdId, amountMicros, expiresAt, key: keyHash === undefined ? undefined : { hash: keyHash, ...periods } });
  }
  return {
    id,
    creditsMicros: num(item, 'credits') ?? 0,
    spentMicros: num(item, 'spent') ?? 0,
    availableMicros: num(item, 'available') ?? 0,
    holds,
    createdAt: str(item, 'createdAt') ?? '',
  };
}

export async function getAccount(table: Table, id: string): Promise<Account | undefined> {
  const result = await table.client.send(new GetItemCommand({ TableName: table.name, Key: accountKey(id), ConsistentRead: true }));
  return result.Item === undefined ? undefined : accountFromItem(result.Item);
}

/** Create an account with no credits; false if it exists already. */
export async function createAccount(table: Table, id: string, now: string): Promise<boolean> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: {
          ...accountKey(id),
          ...accountListing(id),
          type: S('account'),
          accountId: S(id),
          credits: N(0),
          spent: N(0),
          available: N(0),
          holds: { M: {} },
          createdAt: S(now),
        },
        ConditionExpression: conditions.accountIsNew,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Add credits (µ$, may be negative to correct); returns the account after. */
export async function addCredits(table: Table, id: string, micros: number): Promise<Account | undefined> {
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(id),
        UpdateExpression: 'ADD credits :amount, available :amount',
        ConditionExpression: micros >= 0 ? conditions.accountExists : conditions.correctionCovered,
        ExpressionAttributeValues: micros >= 0 ? { ':amount': N(micros) } : { ':amount': N(micros), ':needed': N(-micros) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes === undefined ? undefined : accountFromItem(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export type ReserveResult = { ok: true; availableMicros: number } | { ok: false };

/**
 * Hold `amountMicros` for generation `holdId`: one conditional write that
 * fails when the balance cannot cover it (`conditions.balanceCovers`).
 */
export async function reserveCredits(table: Table, accountId: string, hold: Hold): Promise<ReserveResult> {
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(accountId),
        UpdateExpression: 'SET available = available - :amount, holds.#hold = :hold',
        ConditionExpression: conditions.balanceCovers,
        ExpressionAttributeNames: { '#hold': hold.id },
        ExpressionAttributeValues: {
          ':amount': N(hold.amountMicros),
          ':hold': { M: encodeHold({ amountMicros: hold.amountMicros, expiresAt: hold.expiresAt, keyHash: hold.key?.hash, periods: hold.key }) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { ok: true, availableMicros: num(result.Attributes ?? {}, 'available') ?? 0 };
  } catch (error) {
    if (isConditionFailure(error)) return { ok: false };
    throw error;
  }
}

export type SettleResult = { settled: true; availableMicros: number } | { settled: false };

/**
 * Charge `chargeMicros` (at most the hold) and release the rest, on the
 * account and on the key the hold points at. Idempotent per hold and per
 * item: a second settlement finds no hold (`conditions.notYetSettled`) and changes
 * nothing, and a retry after a failure half way moves only what is left.
 */
export async function settleHold(table: Table, accountId: string, hold: Hold, chargeMicros: number): Promise<SettleResult> {
  const result = await settleAccountHold(table, accountId, hold, chargeMicros);
  if (hold.key !== undefined) await settleKeySpend(table, hold.key, hold.id, hold.amountMicros, chargeMicros);
  return result;
}

async function settleAccountHold(table: Table, accountId: string, hold: Hold, chargeMicros: number): Promise<SettleResult> {
  const charge = Math.min(Math.max(0, chargeMicros), hold.amountMicros);
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(accountId),
        UpdateExpression: 'SET available = available + :refund, spent = spent + :charge REMOVE holds.#hold',
        ConditionExpression: conditions.notYetSettled,
        ExpressionAttributeNames: { '#hold': hold.id },
        ExpressionAttributeValues: {
          ':refund': N(hold.amountMicros - charge),
          ':charge': N(charge),
          ':amount': N(hold.amountMicros),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { settled: true, availableMicros: num(result.Attributes ?? {}, 'available') ?? 0 };
  } catch (error) {
    if (isConditionFailure(error)) return { settled: false };
    throw error;
  }
}

/**
 * Release every hold of `accountId` that expired before `now` (a crash or a
 * timeout between reserve and settle), with the key holds they point at;
 * with `keyHash`, also that key's expired holds left without an account hold
 * (lib/store/keys.ts `reclaimExpiredHoldsOfKey`). Two item reads at most,
 * however large the table: this runs when a request would be refused.
 * Returns how many holds were reclaimed.
 */
export async function reclaimExpiredHolds(table: Table, accountId: string, now: number, keyHash?: string): Promise<number> {
  const account = await getAccount(table, accountId);
  let reclaimed = 0;
  for (const hold of account?.holds ?? []) {
    if (hold.expiresAt > now) continue;
    const result = await settleHold(table, accountId, hold, 0);
    if (result.settled) reclaimed += 1;
  }
  if (keyHash !== undefined) reclaimed += await reclaimExpiredHoldsOfKey(table, keyHash, now);
  return reclaimed;
}

/** Ids of every account, from the listing index (management traffic and the reclaim sweep only). */
export async function listAccountIds(table: Table): Promise<string[]> {
  const ids: string[] = [];
  let start: Item | undefined;
  do {
    const page: QueryCommandOutput = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: LISTING_INDEX.name,
        KeyConditionExpression: '#listing = :accounts',
        ExpressionAttributeNames: { '#listing': LISTING_INDEX.partitionKey },
        ExpressionAttributeValues: { ':accounts': S(ACCOUNTS_LISTING) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = str(item, LISTING_INDEX.sortKey);
      if (id !== undefined) ids.push(id);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return ids;
}
