// The keys local mode starts with: an API key on an account with credits,
// and a management key. A restart keeps them (the data folder remembers the
// plaintext so it can be printed again; this file exists only locally).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateApiKey, hashApiKey, isWellFormedKey, keyLabel } from '../lib/keys/api-key.ts';
import { addCredits, createAccount } from '../lib/store/accounts.ts';
import type { Table } from '../lib/store/dynamo.ts';
import { getKey, putKey, type KeyKind } from '../lib/store/keys.ts';

export const LOCAL_ACCOUNT = 'local';

export interface SeededKeys {
  apiKey: string;
  managementKey: string;
  accountId: string;
}

const savedKeys = z.object({ apiKey: z.string(), managementKey: z.string() });

export async function seedLocalKeys(options: {
  table: Table;
  dataDir: string | undefined;
  env: Record<string, string | undefined>;
  seedCreditsMicros: number;
}): Promise<SeededKeys> {
  const { table, env } = options;
  const file = options.dataDir === undefined ? undefined : path.join(options.dataDir, 'local-keys.json');
  const saved = file === undefined ? undefined : await readSaved(file);
  const apiKey = chooseKey(env.SWITCHYARD_DEV_KEY, 'SWITCHYARD_DEV_KEY', saved?.apiKey);
  const managementKey = chooseKey(env.SWITCHYARD_DEV_MANAGEMENT_KEY, 'SWITCHYARD_DEV_MANAGEMENT_KEY', saved?.managementKey);
  const now = new Date().toISOString();
  if (await createAccount(table, LOCAL_ACCOUNT, now)) await addCredits(table, LOCAL_ACCOUNT, options.seedCreditsMicros);
  await ensureKey(table, apiKey, 'inference', 'local development key', now);
  await ensureKey(table, managementKey, 'management', 'local management key', now);
  if (file !== undefined) await writeFile(file, `${JSON.stringify({ apiKey, managementKey }, null, 2)}\n`, { mode: 0o600 });
  return { apiKey, managementKey, accountId: LOCAL_ACCOUNT };
}

function chooseKey(fromEnv: string | undefined, variable: string, saved: string | undefined): string {
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isWellFormedKey(fromEnv)) throw new Error(`${variable} must look like sk-sy-v1-<64 lowercase hex digits>`);
    return fromEnv;
  }
  return saved ?? generateApiKey();
}

async function ensureKey(table: Table, key: string, kind: KeyKind, name: string, now: string): Promise<void> {
  const hash = await hashApiKey(key);
  if ((await getKey(table, hash)) !== undefined) return;
  await putKey(table, {
    hash,
    kind,
    accountId: LOCAL_ACCOUNT,
    name,
    label: keyLabel(key),
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    requestsPerMinute: null,
  });
}

async function readSaved(file: string): Promise<z.infer<typeof savedKeys> | undefined> {
  try {
    const parsed = savedKeys.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
