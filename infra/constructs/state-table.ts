// The one DynamoDB table that holds keys, balances, holds, health and
// sessions, told apart by `pk` prefixes (lib/store/table.ts), with one
// sparse keys-only index that lists accounts and each account's keys, so
// that nothing ever scans the table.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** The key and TTL attribute names of lib/store/table.ts, repeated because infra/ imports nothing from lib/. */
export const TABLE_ATTRIBUTES = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'ttl',
  /** lib/store/table.ts LISTING_INDEX. */
  listingIndex: { name: 'listing', partitionKey: 'listing', sortKey: 'listingOrder' },
} as const;

export class StateTable extends Construct {
  readonly table: dynamodb.Table;
  /** The listing index's ARN: the reclaim sweep and the key listing query it. */
  readonly listingIndexArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_ATTRIBUTES.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_ATTRIBUTES.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_ATTRIBUTES.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Balances and keys live here: neither a stray `cdk destroy` nor a console click may drop them.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    const listing = TABLE_ATTRIBUTES.listingIndex;
    // Keys only: updates of a balance or a key's spend (every request) leave
    // the index keys unchanged and so never write to it.
    this.table.addGlobalSecondaryIndex({
      indexName: listing.name,
      partitionKey: { name: listing.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: listing.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.listingIndexArn = `${this.table.tableArn}/index/${listing.name}`;
  }
}
