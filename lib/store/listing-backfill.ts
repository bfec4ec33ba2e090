// Account and key items written before the listing index existed
// (lib/store/table.ts) lack its attributes, so neither the reclaim sweep nor
// GET /api/v1/keys would find them. This gives them the attributes, once:
// `switchyard backfill-listing` against a deployed table (docs/deploying.md),
// and local mode's table upgrade (cli/local-dynamo.ts) through
// `listingAttributes`. It is the one place that reads the whole table — a
// one-time migration run by hand, never on a request path or a schedule.
import { ScanCommand, UpdateItemCommand, type AttributeValue, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { accountListing } from './accounts.ts';
import { isConditionFailure, S, str, type Item, type Table } from './dynamo.ts';
import { keyListing } from './keys.ts';
import { LISTING_INDEX, PARTITION_KEY, SORT_KEY } from './table.ts';

/** The listing-index attributes an item should carry, from what it is; undefined for items that are not listed. */
export function listingAttributes(item: Item): Item | undefined {
  const accountId = str(item, 'accountId');
  if (accountId === undefined) return undefined;
  switch (str(item, 'type')) {
    case 'account':
      return accountListing(accountId);
    case 'key': {
      const hash = str(item, 'hash');
      return hash === undefined ? undefined : keyListing(accountId, str(item, 'createdAt') ?? '', hash);
    }
    default:
      return undefined;
  }
}

/** The two values of `listingAttributes`, for an update expression. */
function listingValues(item: Item): { listing: AttributeValue; order: AttributeValue } | undefined {
  const attributes = listingAttributes(item);
  const listing = attributes?.[LISTING_INDEX.partitionKey];
  const order = attributes?.[LISTING_INDEX.sortKey];
  return listing === undefined || order === undefined ? undefined : { listing, order };
}

/** Named condition of the backfill's write. */
const conditions = {
  /** The item is still there and not listed yet: a second run, or a run racing a new key, changes nothing. */
  notYetListed: 'attribute_exists(#pk) AND attribute_not_exists(#listing)',
} as const;

export interface BackfillSummary {
  /** Items read by the scan (those not listed yet, of every kind). */
  scanned: number;
  accounts: number;
  keys: number;
}

/** Give every unlisted account and key item its listing attributes. Idempotent; safe while the gateway serves. */
export async function backfillListing(table: Table): Promise<BackfillSummary> {
  const summary: BackfillSummary = { scanned: 0, accounts: 0, keys: 0 };
  let start: Item | undefined;
  do {
    const page: ScanCommandOutput = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#type IN (:account, :key) AND attribute_not_exists(#listing)',
        ProjectionExpression: '#pk, #sk, #type, accountId, createdAt, #hash',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#type': 'type', '#hash': 'hash', '#listing': LISTING_INDEX.partitionKey },
        ExpressionAttributeValues: { ':account': S('account'), ':key': S('key') },
        ExclusiveStartKey: start,
      }),
    );
    summary.scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const listing = listingValues(item);
      const pk = item[PARTITION_KEY];
      const sk = item[SORT_KEY];
      if (listing === undefined || pk === undefined || sk === undefined) continue;
      try {
        await table.client.send(
          new UpdateItemCommand({
            TableName: table.name,
            Key: { [PARTITION_KEY]: pk, [SORT_KEY]: sk },
            UpdateExpression: 'SET #listing = :listing, #order = :order',
            ConditionExpression: conditions.notYetListed,
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#listing': LISTING_INDEX.partitionKey, '#order': LISTING_INDEX.sortKey },
            ExpressionAttributeValues: { ':listing': listing.listing, ':order': listing.order },
          }),
        );
        if (str(item, 'type') === 'account') summary.accounts += 1;
        else summary.keys += 1;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return summary;
}
