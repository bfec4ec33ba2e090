// Tables from before the listing index keep working: a deployed table's
// account and key items get their listing attributes from the one-time
// backfill, and a local data folder's table is upgraded into one with the
// index at start. Dynalite through the real AWS SDK.
import { CreateTableCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../cli/local-dynamo.ts';
import { accountKey, addCredits, createAccount, getAccount, listAccountIds } from '../../lib/store/accounts.ts';
import type { Table } from '../../lib/store/dynamo.ts';
import { generationItems, getGeneration } from '../../lib/store/generations.ts';
import { keyItemKey } from '../../lib/store/key-spend.ts';
import { listKeys, putKey, type KeyRecord } from '../../lib/store/keys.ts';
import { backfillListing } from '../../lib/store/listing-backfill.ts';
import { LISTING_INDEX } from '../../lib/store/table.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';
import { keyRecord } from '../support/key-record.ts';
import { usageRecord } from '../support/usage-record.ts';

const NOW = '2026-08-22T10:00:00.000Z';

const key = (accountId: string, index: number): KeyRecord => keyRecord(`${accountId}-${index}`.padEnd(64, 'f'), accountId, NOW, { name: `key ${index}` });

/** An account with two keys, as a version before the listing index wrote them: without its attributes. */
async function writeLegacyAccount(table: Table, accountId: string): Promise<void> {
  await createAccount(table, accountId, NOW);
  await addCredits(table, accountId, 7_000);
  for (const record of [key(accountId, 0), key(accountId, 1)]) await putKey(table, record);
  for (const itemKey of [accountKey(accountId), keyItemKey(key(accountId, 0).hash), keyItemKey(key(accountId, 1).hash)]) {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: itemKey,
        UpdateExpression: 'REMOVE #listing, #order',
        ExpressionAttributeNames: { '#listing': LISTING_INDEX.partitionKey, '#order': LISTING_INDEX.sortKey },
      }),
    );
  }
}

let dynamo: TestDynamo;
beforeEach(async () => {
  dynamo = await startDynamo();
});
afterEach(async () => {
  await dynamo.close();
});

describe('the listing backfill of a deployed table', () => {
  it('lists the accounts and keys written before the index, once', async () => {
    const table = { client: dynamo.client, name: dynamo.tableName };
    await writeLegacyAccount(table, 'old-account');
    await createAccount(table, 'new-account', NOW);
    expect(await listAccountIds(table)).toEqual(['new-account']);
    expect(await listKeys(table, 'old-account')).toEqual([]);

    expect(await backfillListing(table)).toMatchObject({ accounts: 1, keys: 2 });

    expect((await listAccountIds(table)).sort()).toEqual(['new-account', 'old-account']);
    expect((await listKeys(table, 'old-account')).map((record) => record.name)).toEqual(['key 0', 'key 1']);
    expect((await getAccount(table, 'old-account'))?.availableMicros).toBe(7_000);
    // A second run finds nothing left to do.
    expect(await backfillListing(table)).toMatchObject({ accounts: 0, keys: 0 });
  });
});

describe('the local table of a data folder from before the index', () => {
  it('is copied into the indexed table at start, with every item, and dropped', async () => {
    const legacy = { client: dynamo.client, name: 'switchyard-legacy' };
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: legacy.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await writeLegacyAccount(legacy, 'acct');
    const record = usageRecord('gen-old', { account_id: 'acct', created_at: NOW });
    for (const item of generationItems(record, Math.floor(Date.parse(NOW) / 1000) + 86_400)) {
      await dynamo.client.send(new PutItemCommand({ TableName: legacy.name, Item: item }));
    }

    await ensureTable(dynamo.client, 'switchyard-upgraded', [legacy.name]);

    const upgraded = { client: dynamo.client, name: 'switchyard-upgraded' };
    expect(await listAccountIds(upgraded)).toEqual(['acct']);
    expect((await listKeys(upgraded, 'acct')).map((each) => each.name)).toEqual(['key 0', 'key 1']);
    expect((await getAccount(upgraded, 'acct'))?.availableMicros).toBe(7_000);
    expect((await getGeneration(upgraded, 'gen-old', Date.parse(NOW)))?.accountId).toBe('acct');
    await expect(dynamo.client.send(new DescribeTableCommand({ TableName: legacy.name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    // The next start finds nothing to upgrade and keeps what is there.
    await ensureTable(dynamo.client, 'switchyard-upgraded', [legacy.name]);
    expect(await listAccountIds(upgraded)).toEqual(['acct']);
  });
});
