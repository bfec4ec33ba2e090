// `switchyard backfill-listing --table <name>`: once, after deploying the
// version that added the table's listing index, give the account and key
// items written before it their listing attributes, so the reclaim sweep and
// GET /api/v1/keys find them (lib/store/listing-backfill.ts). Idempotent;
// safe while the gateway serves.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { backfillListing, type BackfillSummary } from '../../lib/store/listing-backfill.ts';
import type { BootstrapOutput } from './bootstrap.ts';

const stdout: BootstrapOutput = { write: (text) => process.stdout.write(text) };

export function registerBackfillListing(program: Command, output: BootstrapOutput = stdout): Command {
  return program
    .command('backfill-listing')
    .description("once after upgrading a deployed stack: list the accounts and keys written before the table's listing index, with your AWS credentials")
    .requiredOption('--table <name>', "the stack's TableName output")
    .option('--region <region>', 'AWS region of the table (default: from your AWS configuration)')
    .action(async function (this: Command, options: { table: string; region?: string }) {
      const client = new DynamoDBClient(options.region === undefined ? {} : { region: options.region });
      let summary: BackfillSummary;
      try {
        summary = await backfillListing({ client, name: options.table });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        this.error(`error: could not backfill table ${options.table}: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        client.destroy();
      }
      output.write(`Listed ${summary.accounts} accounts and ${summary.keys} keys of table ${options.table} (${summary.scanned} items read).\n`);
    });
}
