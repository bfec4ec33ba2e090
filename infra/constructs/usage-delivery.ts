// Usage records from the gateway to S3: a Firehose (Direct PUT) delivery
// stream that converts each JSON record to Parquet with the Glue table's
// schema (Firehose's own record-format conversion: OpenX JSON SerDe in,
// Parquet SerDe out, Snappy), buffers up to 60 s / 64 MiB, and writes into
// date/hour partitions of the usage bucket (reliability.md §1.6).
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIREHOSE_DATA_PREFIX, FIREHOSE_ERROR_PREFIX } from '../usage-layout.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { createSecureBucket } from './secure-bucket.ts';

export interface UsageDeliveryProps {
  accessLogBucket: s3.IBucket;
  transitionToInfrequentAccessAfter: Duration;
  expireAfter: Duration;
  logRetention: logs.RetentionDays;
  /**
   * The Glue table whose columns Firehose converts records with, built once
   * the bucket exists (it reads from the bucket): UsageAnalytics' table.
   */
  recordSchema: (bucket: s3.IBucket) => glue.CfnTable;
}

/**
 * Firehose's minimum buffer when it converts record formats (reliability.md
 * fact 9); below 128 MiB, the most it takes, so an object holds about 90,000
 * records (≈ 700 bytes of JSON each) in a few row groups.
 */
const CONVERSION_BUFFER = Size.mebibytes(64);

export class UsageDelivery extends Construct {
  readonly bucket: s3.Bucket;
  readonly deliveryStream: firehose.DeliveryStream;

  constructor(scope: Construct, id: string, props: UsageDeliveryProps) {
    super(scope, id);
    this.bucket = createSecureBucket(this, 'Bucket', {
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'usage-bucket/',
      lifecycleRules: [
        {
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: props.transitionToInfrequentAccessAfter }],
          expiration: props.expireAfter,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    // The destination would grant Firehose read/write/delete on the whole bucket; an
    // immutable role keeps those grants out, and the policy below gives what delivery needs.
    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: 'Lets Firehose write usage records into the usage bucket',
    });
    const objectArns = [FIREHOSE_DATA_PREFIX, FIREHOSE_ERROR_PREFIX].map((prefix) => this.bucket.arnForObjects(`${topFolder(prefix)}*`));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], resources: objectArns }),
    );
    const deliveryLogs = new logs.LogGroup(this, 'DeliveryLogs', { retention: props.logRetention });
    deliveryLogs.grantWrite(role);
    // Reading the schema: the three Glue calls conversion makes, on this one
    // table only (the destination's own grant would add glue:GetSchemaVersion
    // on every resource, for schema registries this stream does not use).
    const schemaTable = props.recordSchema(this.bucket);
    const stack = Stack.of(this);
    const databaseName = schemaTable.databaseName;
    const tableName = (schemaTable.tableInput as glue.CfnTable.TableInputProperty).name ?? '';
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${tableName}` }),
        ],
      }),
    );
    for (const objectArn of objectArns) {
      acknowledgeWildcardResource(role, objectArn, 'Firehose names objects itself (date, hour, random suffix); the grant stops at its two prefixes.');
    }

    this.deliveryStream = new firehose.DeliveryStream(this, 'Stream', {
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(this.bucket, {
        role: role.withoutPolicyUpdates(),
        dataOutputPrefix: FIREHOSE_DATA_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        // No S3 compression: with conversion, Parquet compresses its own column chunks.
        dataFormatConversion: {
          schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(schemaTable),
          inputFormat: firehose.InputFormat.OPENX_JSON,
          outputFormat: new firehose.ParquetOutputFormat({ compression: firehose.ParquetCompression.SNAPPY }),
        },
        bufferingInterval: Duration.seconds(60),
        bufferingSize: CONVERSION_BUFFER,
        loggingConfig: new firehose.EnableLogging(deliveryLogs),
      }),
    });
    // Firehose checks its access when the stream is created: the policy must exist first.
    this.deliveryStream.node.addDependency(role);
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: "DeliveryStream always adds its Firehose CIDR mapping for VPC destinations; this S3 destination doesn't use it.",
    });
  }
}

/** `usage/dt=!{…}/…` → `usage/` */
function topFolder(prefix: string): string {
  return prefix.slice(0, prefix.indexOf('/') + 1);
}
