// A key record as the management API stores it, for tests of the store.
import type { KeyRecord } from '../../lib/store/keys.ts';

export function keyRecord(hash: string, accountId: string, createdAt: string, fields: Partial<KeyRecord> = {}): KeyRecord {
  return {
    hash,
    kind: 'inference',
    accountId,
    name: `key ${hash.slice(0, 4)}`,
    label: 'sk-sy-v1-000...0000',
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt,
    updatedAt: createdAt,
    requestsPerMinute: null,
    ...fields,
  };
}
