// Accounts and keys made straight in the table, for billing tests.
import { parseOrThrow } from '../../../lib/api/validate.ts';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { worstCaseMicros } from '../../../lib/billing/cost.ts';
import { maxPromptTokens } from '../../../lib/billing/prompt-size.ts';
import type { Pricing } from '../../../lib/catalog/schema.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../../lib/keys/api-key.ts';
import { addCredits, createAccount } from '../../../lib/store/accounts.ts';
import type { Table } from '../../../lib/store/dynamo.ts';
import { putKey, type KeyRecord } from '../../../lib/store/keys.ts';

let accounts = 0;

export interface TestAccount {
  accountId: string;
  apiKey: string;
  hash: string;
}

export async function accountWithKey(table: Table, creditsMicros: number, key: Partial<KeyRecord> = {}, now = Date.now()): Promise<TestAccount> {
  const accountId = `billing-${process.pid}-${accounts++}`;
  const created = new Date(now).toISOString();
  await createAccount(table, accountId, created);
  if (creditsMicros > 0) await addCredits(table, accountId, creditsMicros);
  const apiKey = await addKey(table, accountId, { ...key }, now);
  return { accountId, apiKey, hash: await hashApiKey(apiKey) };
}

export async function addKey(table: Table, accountId: string, fields: Partial<KeyRecord> = {}, now = Date.now()): Promise<string> {
  const apiKey = generateApiKey();
  const created = new Date(now).toISOString();
  await putKey(table, {
    hash: await hashApiKey(apiKey),
    kind: 'inference',
    accountId,
    name: 'billing test key',
    label: keyLabel(apiKey),
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: created,
    updatedAt: created,
    requestsPerMinute: null,
    ...fields,
  });
  return apiKey;
}

/** What the gateway holds for `body` at an endpoint with `pricing` (no reasoning, max_tokens within limits). */
export function worstCaseOf(body: Record<string, unknown>, pricing: Pricing): number {
  const request = parseOrThrow(chatRequest, body);
  const maxTokens = Number(body.max_tokens);
  return worstCaseMicros(maxPromptTokens(request), maxTokens, pricing);
}
