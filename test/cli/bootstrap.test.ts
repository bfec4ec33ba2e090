// `switchyard bootstrap` against dynalite, reached the way it reaches a real
// table: the AWS SDK's default configuration, pointed at the loopback
// endpoint with AWS_ENDPOINT_URL_DYNAMODB.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredits, registerBootstrap } from '../../cli/commands/bootstrap.ts';
import { hashApiKey, isWellFormedKey } from '../../lib/keys/api-key.ts';
import { getAccount } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { getKey, listKeys } from '../../lib/store/keys.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

let dynamo: TestDynamo;
let table: Table;
let configDirectory: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynamo();
  table = { client: dynamo.client, name: dynamo.tableName };
  configDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-aws-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: path.join(configDirectory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(configDirectory, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
});
afterAll(async () => {
  await dynamo.close();
  rmSync(configDirectory, { recursive: true, force: true });
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  let out = '';
  let err = '';
  let exitCode: number | undefined;
  const program = new Command('switchyard').exitOverride().configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  registerBootstrap(program, { write: (text) => (out += text) });
  try {
    await program.parseAsync(['bootstrap', ...args], { from: 'user' });
  } catch (error) {
    exitCode = (error as { exitCode?: number }).exitCode;
  }
  return { out, err, exitCode };
}

const printedKey = (out: string, label: string): string => new RegExp(`${label}:\\s+(\\S+)`).exec(out)?.[1] ?? '';

describe('switchyard bootstrap', () => {
  it('creates a credited account with a management key and an API key, and prints each key once', async () => {
    const { out, exitCode } = await run('--table', dynamo.tableName, '--region', 'us-east-1', '--credits', '12.5', '--account', 'team-a');

    expect(exitCode).toBeUndefined();
    const managementKey = printedKey(out, 'Management key');
    const apiKey = printedKey(out, 'API key');
    expect(isWellFormedKey(managementKey)).toBe(true);
    expect(isWellFormedKey(apiKey)).toBe(true);
    expect(managementKey).not.toBe(apiKey);
    expect(out.split(managementKey)).toHaveLength(2);
    expect(out.split(apiKey)).toHaveLength(2);
    expect(out).toContain('Created account "team-a" with $12.50 of credits');

    expect(await getKey(table, await hashApiKey(managementKey))).toMatchObject({ kind: 'management', accountId: 'team-a', disabled: false });
    expect(await getKey(table, await hashApiKey(apiKey))).toMatchObject({ kind: 'inference', accountId: 'team-a', disabled: false });
    expect(await getAccount(table, 'team-a')).toMatchObject({ creditsMicros: 12_500_000, availableMicros: 12_500_000, spentMicros: 0 });
  });

  it('takes the region from the AWS configuration and gives no credits unless asked, to the default account', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    try {
      const { out, exitCode } = await run('--table', dynamo.tableName);

      expect(exitCode).toBeUndefined();
      expect(out).toContain('Created account "default" with $0.00 of credits');
      expect(await getAccount(table, 'default')).toMatchObject({ creditsMicros: 0, availableMicros: 0 });
      expect(await listKeys(table, 'default')).toHaveLength(2);
    } finally {
      delete process.env.AWS_REGION;
    }
  });

  it('refuses to run twice for one account: no second grant of credits, no more keys', async () => {
    const { out, err, exitCode } = await run('--table', dynamo.tableName, '--region', 'us-east-1', '--credits', '100', '--account', 'team-a');

    expect(exitCode).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/Account "team-a" already exists/);
    expect(await getAccount(table, 'team-a')).toMatchObject({ creditsMicros: 12_500_000 });
    expect(await listKeys(table, 'team-a')).toHaveLength(2);
  });

  it('names the table and the likely mistake when the table does not exist', async () => {
    const { out, err, exitCode } = await run('--table', 'NoSuchTable', '--region', 'us-east-1');

    expect(exitCode).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/could not write to table NoSuchTable: ResourceNotFoundException/);
    expect(err).toMatch(/TableName output/);
  });

  it('requires --table', async () => {
    const { err, exitCode } = await run('--credits', '5');

    expect(exitCode).toBe(1);
    expect(err).toMatch(/--table <name>/);
  });

  it.each(['-1', 'ten', '1.1234567', '1e3', ''])('refuses --credits %j before touching the table', async (credits) => {
    const { err, exitCode } = await run('--table', dynamo.tableName, '--region', 'us-east-1', '--credits', credits, '--account', `bad-${credits}`);

    expect(exitCode).toBe(1);
    expect(err).toMatch(/--credits must be an amount in USD/);
    expect(await getAccount(table, `bad-${credits}`)).toBeUndefined();
  });
});

describe('parseCredits', () => {
  it('turns USD into exact micro-dollars', () => {
    expect(parseCredits('0')).toBe(0);
    expect(parseCredits('20')).toBe(20_000_000);
    expect(parseCredits('0.000001')).toBe(1);
    expect(parseCredits('0.1')).toBe(100_000);
    expect(parseCredits('123456789.999999')).toBe(123_456_789_999_999);
  });
});
