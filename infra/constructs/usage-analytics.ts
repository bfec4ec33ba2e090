// Athena over the usage bucket: a Glue table of Parquet objects whose
// partitions are projected from the Firehose prefix (its columns are also the
// schema Firehose converts records with: infra/constructs/usage-delivery.ts),
// the gzipped JSON history from before Parquet as a second table, a
// workgroup that enforces an encrypted result location, and the saved
// queries of infra/queries.ts.
import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { renderQuery, USAGE_QUERIES } from '../queries.ts';
import {
  JSON_HISTORY_PREFIX,
  PARQUET_COMPRESSION,
  PARQUET_STORAGE,
  PARTITION_KEYS,
  PARTITION_PROJECTION,
  storageLocationTemplate,
  USAGE_COLUMNS,
  USAGE_DATA_PREFIX,
} from '../usage-layout.ts';
import { createSecureBucket } from './secure-bucket.ts';

export const USAGE_TABLE_NAME = 'usage_records';
/** The gzipped JSON objects Firehose wrote before it wrote Parquet; same columns. */
export const JSON_HISTORY_TABLE_NAME = 'usage_records_json';

export interface UsageAnalyticsProps {
  usageBucket: s3.IBucket;
  accessLogBucket: s3.IBucket;
  /** Glue database name: lowercase letters, digits and underscores. Default: derived from the stack name. */
  databaseName?: string;
  /** Query results are deleted after this. */
  expireResultsAfter?: Duration;
}

export class UsageAnalytics extends Construct {
  readonly databaseName: string;
  readonly tableName = USAGE_TABLE_NAME;
  /** The Parquet table: Athena reads it, Firehose converts records with its schema. */
  readonly table: glue.CfnTable;
  readonly workGroupName: string;
  readonly resultsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: UsageAnalyticsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = props.databaseName ?? `${stack.stackName.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_usage`;
    this.workGroupName = `${stack.stackName}-usage`;

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'Switchyard usage records' },
    });
    const columns = USAGE_COLUMNS.map((column) => ({ ...column }));
    const table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: USAGE_TABLE_NAME,
        description: 'One row per gateway request (lib/usage/record.ts), written by Firehose as Parquet',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          'parquet.compression': PARQUET_COMPRESSION,
          ...PARTITION_PROJECTION,
          'storage.location.template': storageLocationTemplate(props.usageBucket.bucketName),
        },
        partitionKeys: PARTITION_KEYS.map((key) => ({ ...key })),
        storageDescriptor: {
          location: `s3://${props.usageBucket.bucketName}/${USAGE_DATA_PREFIX}`,
          inputFormat: PARQUET_STORAGE.inputFormat,
          outputFormat: PARQUET_STORAGE.outputFormat,
          serdeInfo: { serializationLibrary: PARQUET_STORAGE.serializationLibrary },
          columns,
        },
      },
    });
    table.addResourceDependency(database);
    this.table = table;

    // What earlier versions delivered, where they delivered it: still
    // queryable, never written again (docs/deploying.md has the one INSERT
    // that moves it into the Parquet table, if wanted).
    const history = new glue.CfnTable(this, 'JsonHistoryTable', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: JSON_HISTORY_TABLE_NAME,
        description: 'Usage records Firehose wrote as gzipped JSON lines before it wrote Parquet (read-only history)',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          ...PARTITION_PROJECTION,
          'storage.location.template': storageLocationTemplate(props.usageBucket.bucketName, JSON_HISTORY_PREFIX),
        },
        partitionKeys: PARTITION_KEYS.map((key) => ({ ...key })),
        storageDescriptor: {
          location: `s3://${props.usageBucket.bucketName}/${JSON_HISTORY_PREFIX}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns,
        },
      },
    });
    history.addResourceDependency(database);

    this.resultsBucket = createSecureBucket(this, 'ResultsBucket', {
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'athena-results-bucket/',
      lifecycleRules: [{ expiration: props.expireResultsAfter ?? Duration.days(30) }],
    });
    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Switchyard usage queries',
      // Lets `cdk destroy` remove the workgroup although it holds saved queries.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject('results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    for (const query of USAGE_QUERIES) {
      const namedQuery = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: this.databaseName,
        workGroup: workGroup.ref,
        queryString: renderQuery(query, `"${this.databaseName}"."${USAGE_TABLE_NAME}"`),
      });
      namedQuery.addResourceDependency(table);
    }
  }
}
