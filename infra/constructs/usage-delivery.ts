// Usage records from the gateway to S3: a Firehose (Direct PUT) delivery
// stream that buffers up to 60 s / 5 MiB, gzips, and writes into date/hour
// partitions of the usage bucket (reliability.md §1.6).
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
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
}

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
    for (const objectArn of objectArns) {
      acknowledgeWildcardResource(role, objectArn, 'Firehose names objects itself (date, hour, random suffix); the grant stops at its two prefixes.');
    }

    this.deliveryStream = new firehose.DeliveryStream(this, 'Stream', {
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(this.bucket, {
        role: role.withoutPolicyUpdates(),
        dataOutputPrefix: FIREHOSE_DATA_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        compression: firehose.Compression.GZIP,
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(5),
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
