// The table and its client, handed in by the edge; small helpers to read
// attribute values without `as` casts.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Table {
  client: DynamoDBClient;
  name: string;
}

export type Item = Record<string, AttributeValue>;

export const str = (item: Item, name: string): string | undefined => item[name]?.S;
export const num = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
};
export const bool = (item: Item, name: string): boolean | undefined => item[name]?.BOOL;
export const map = (item: Item, name: string): Item | undefined => item[name]?.M;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
export const B = (value: boolean): AttributeValue => ({ BOOL: value });
export const NULL: AttributeValue = { NULL: true };
export const orNull = (value: string | null | undefined): AttributeValue => (value == null ? NULL : S(value));

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
