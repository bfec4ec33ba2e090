// Every bucket in the stack: private, encrypted, TLS-only, retained on stack
// deletion (usage data outlives a redeploy), logging access to one log bucket.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Where S3 server access logs go; required for every bucket but the log bucket itself. */
  serverAccessLogsBucket: s3.IBucket;
  serverAccessLogsPrefix: string;
  lifecycleRules?: s3.LifecycleRule[];
}

const privateBucketDefaults = {
  // SSE-S3: server access logging cannot deliver to SSE-KMS buckets, and one setting for all keeps it simple.
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies s3.BucketProps;

export function createSecureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...privateBucketDefaults,
    serverAccessLogsBucket: props.serverAccessLogsBucket,
    serverAccessLogsPrefix: props.serverAccessLogsPrefix,
    lifecycleRules: props.lifecycleRules,
  });
}

export interface AccessLogBucketProps {
  expireLogsAfter?: Duration;
}

/** The destination of the other buckets' server access logs. */
export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketDefaults,
      lifecycleRules: [{ expiration: props.expireLogsAfter ?? Duration.days(365) }],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging its own access would log into itself.',
    });
  }
}
