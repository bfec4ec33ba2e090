// `switchyard bootstrap --table <name>`: the first keys of a deployed stack.
// The management API needs a management key, and only this can make the
// first one: it writes an account (with credits), a management key and an
// API key straight into the DynamoDB table with the caller's own AWS
// credentials, and prints both keys once. They are stored only as hashes.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { usdToMicros } from '../../lib/billing/cost.ts';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { addCredits, createAccount } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { putKey, type KeyKind } from '../../lib/store/keys.ts';

export const DEFAULT_ACCOUNT = 'default';

export interface BootstrapOutput {
  write(text: string): void;
}

export interface BootstrapResult {
  accountId: string;
  creditsMicros: number;
  managementKey: string;
  apiKey: string;
}

export class AccountExistsError extends Error {
  override name = 'AccountExistsError';
}

/** Creates the account, credits it and issues one management key and one API key. */
export async function bootstrapKeys(table: Table, options: { accountId: string; creditsMicros: number; now?: Date }): Promise<BootstrapResult> {
  const now = (options.now ?? new Date()).toISOString();
  // A second run must not mint more credits or keys: the account is created only if absent.
  if (!(await createAccount(table, options.accountId, now))) {
    throw new AccountExistsError(
      `Account "${options.accountId}" already exists in table ${table.name}. Issue more keys with its management key (POST /api/v1/keys), or bootstrap another --account.`,
    );
  }
  if (options.creditsMicros > 0) await addCredits(table, options.accountId, options.creditsMicros);
  const issue = async (kind: KeyKind, name: string): Promise<string> => {
    const key = generateApiKey();
    await putKey(table, {
      hash: await hashApiKey(key),
      kind,
      accountId: options.accountId,
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
    return key;
  };
  const managementKey = await issue('management', 'bootstrap management key');
  const apiKey = await issue('inference', 'bootstrap API key');
  return { accountId: options.accountId, creditsMicros: options.creditsMicros, managementKey, apiKey };
}

const USD = /^\d{1,9}(\.\d{1,6})?$/;

/** `--credits` in USD, exactly, as µ$: no float touches it. */
export function parseCredits(text: string): number {
  if (!USD.test(text)) throw new RangeError(`--credits must be an amount in USD such as 20 or 12.50 (at most 6 decimals), not "${text}"`);
  return usdToMicros(text);
}

const stdout: BootstrapOutput = { write: (text) => process.stdout.write(text) };

export function registerBootstrap(program: Command, output: BootstrapOutput = stdout): Command {
  return program
    .command('bootstrap')
    .description('create the first account, management key and API key in a deployed stack\'s DynamoDB table, with your AWS credentials')
    .requiredOption('--table <name>', 'the stack\'s TableName output')
    .option('--region <region>', 'AWS region of the table (default: from your AWS configuration)')
    .option('--credits <usd>', 'credits to give the account, in USD', '0')
    .option('--account <id>', 'id of the account to create', DEFAULT_ACCOUNT)
    .action(async function (this: Command, options: { table: string; region?: string; credits: string; account: string }) {
      let creditsMicros: number;
      try {
        creditsMicros = parseCredits(options.credits);
      } catch (error) {
        this.error(`error: ${(error as Error).message}`);
      }
      const client = new DynamoDBClient(options.region === undefined ? {} : { region: options.region });
      let result: BootstrapResult;
      try {
        result = await bootstrapKeys({ client, name: options.table }, { accountId: options.account, creditsMicros });
      } catch (error) {
        if (error instanceof AccountExistsError) this.error(`error: ${error.message}`);
        const name = error instanceof Error ? error.name : 'Error';
        const hint = name === 'ResourceNotFoundException' ? ` Is ${options.table} the stack's TableName output, in this region?` : '';
        this.error(`error: could not write to table ${options.table}: ${name}: ${error instanceof Error ? error.message : String(error)}.${hint}`);
      } finally {
        client.destroy();
      }
      output.write(formatBootstrap(result, options.table));
    });
}

function formatBootstrap(result: BootstrapResult, tableName: string): string {
  const credits = (result.creditsMicros / 1_000_000).toFixed(result.creditsMicros % 10_000 === 0 ? 2 : 6);
  return `Created account "${result.accountId}" with $${credits} of credits in table ${tableName}.

  Management key:  ${result.managementKey}
  API key:         ${result.apiKey}

These keys are shown once and stored only as hashes: keep them somewhere safe now.
The management key administers keys and credits (/api/v1/keys, /api/v1/credits) and cannot call models.
The API key calls models: use it as the api_key of an OpenAI SDK whose base_url is the stack's BaseUrl.
`;
}
