// A lease is an account hold (lib/store/accounts.ts) that many requests are
// admitted against. Its charges move from the hold to `spent` in batches; the
// condition on the hold's current amount makes each batch apply once
// (`conditions.leaseStillHolds`), so a retried batch never charges twice.
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { accountKey } from './accounts.ts';
import { isConditionFailure, map, N, num, type Table } from './dynamo.ts';

/** Named conditions of a lease's writes: what each guarantees. */
const conditions = {
  /** The lease's hold still has the amount this batch was counted against: the batch applies once. */
  leaseStillHolds: 'holds.#lease.a = :held',
  /** Charged without the lease, the balance still never goes below zero. */
  balanceCoversCharge: 'available >= :charge',
} as const;

export type LeaseCharge = 'applied' | 'charged-directly' | 'lost';

/**
 * Move `chargeMicros` from the lease's hold (now holding `heldMicros`) to
 * `spent`. If the lease was reclaimed meanwhile (it expired), the charge is
 * taken from the balance directly when it covers it, else it is lost (the
 * balance never goes below zero).
 */
export async function chargeLease(table: Table, accountId: string, leaseId: string, heldMicros: number, chargeMicros: number): Promise<LeaseCharge> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(accountId),
        UpdateExpression: 'SET spent = spent + :charge, holds.#lease.a = holds.#lease.a - :charge',
        ConditionExpression: conditions.leaseStillHolds,
        ExpressionAttributeNames: { '#lease': leaseId },
        ExpressionAttributeValues: { ':charge': N(chargeMicros), ':held': N(heldMicros) },
      }),
    );
    return 'applied';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  // Not applied now: either an earlier try of this very batch was applied
  // (its reply was lost), or the lease is gone.
  const held = await leaseHeld(table, accountId, leaseId);
  if (held === heldMicros - chargeMicros) return 'applied';
  if (held !== undefined) throw new Error(`lease ${leaseId} holds ${held}, expected ${heldMicros}`);
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(accountId),
        UpdateExpression: 'SET spent = spent + :charge, available = available - :charge',
        ConditionExpression: conditions.balanceCoversCharge,
        ExpressionAttributeValues: { ':charge': N(chargeMicros) },
      }),
    );
    return 'charged-directly';
  } catch (error) {
    if (isConditionFailure(error)) return 'lost';
    throw error;
  }
}

/** Return what the lease still holds to the balance. The balance after, or undefined when the lease was gone. */
export async function releaseLease(table: Table, accountId: string, leaseId: string, heldMicros: number): Promise<number | undefined> {
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: accountKey(accountId),
        UpdateExpression: 'SET available = available + :held REMOVE holds.#lease',
        ConditionExpression: conditions.leaseStillHolds,
        ExpressionAttributeNames: { '#lease': leaseId },
        ExpressionAttributeValues: { ':held': N(heldMicros) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return num(result.Attributes ?? {}, 'available');
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

async function leaseHeld(table: Table, accountId: string, leaseId: string): Promise<number | undefined> {
  const result = await table.client.send(new GetItemCommand({ TableName: table.name, Key: accountKey(accountId), ConsistentRead: true }));
  const hold = map(result.Item ?? {}, 'holds')?.[leaseId]?.M;
  return hold === undefined ? undefined : num(hold, 'a');
}
