// The whole deployment: state table, provider secret, usage pipeline and
// analytics, the gateway behind its Function URL, the scheduled health probe
// and reclaim sweep, alarms. Each part is a small construct in infra/constructs/.
import path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GatewayFunction, DEFAULT_CORS } from './constructs/gateway-function.ts';
import { HealthProbe } from './constructs/health-probe.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { ProviderSecret } from './constructs/provider-secret.ts';
import { ReclaimSweep } from './constructs/reclaim-sweep.ts';
import { AccessLogBucket } from './constructs/secure-bucket.ts';
import { StateTable } from './constructs/state-table.ts';
import { UsageAnalytics } from './constructs/usage-analytics.ts';
import { UsageDelivery } from './constructs/usage-delivery.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '..');

export interface SwitchyardStackProps extends StackProps {
  /** Use this existing secret (complete ARN) for provider credentials instead of creating one. */
  providerSecretArn?: string;
  /** CORS on the Function URL; `false` for none. Default: any origin, GET/POST/PATCH/DELETE. */
  cors?: lambda.FunctionUrlCorsOptions | false;
  /** Bundle directories (`index.mjs`): what scripts/build.ts makes; infra/app.ts builds them before it synthesizes. */
  gatewayCodePath?: string;
  probeCodePath?: string;
  reclaimCodePath?: string;
  usageTransitionToInfrequentAccessAfter?: Duration;
  usageExpireAfter?: Duration;
  logRetention?: logs.RetentionDays;
  /** Let the functions call Amazon Bedrock with their own role (the default catalog has Bedrock endpoints). Default true. */
  bedrockAccess?: boolean;
  /** An existing SNS topic (ARN) every alarm notifies, on ALARM and on OK. Default: alarms without actions. */
  alarmTopicArn?: string;
}

export class SwitchyardStack extends Stack {
  readonly gateway: GatewayFunction;
  readonly healthProbe: HealthProbe;
  readonly reclaimSweep: ReclaimSweep;
  readonly usage: UsageDelivery;
  readonly analytics: UsageAnalytics;
  readonly state: StateTable;
  readonly providerSecret: ProviderSecret;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SwitchyardStackProps = {}) {
    super(scope, id, { description: 'Switchyard: an OpenRouter-compatible LLM gateway', ...props });
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const bedrockAccess = props.bedrockAccess ?? true;

    this.state = new StateTable(this, 'State');
    this.providerSecret = new ProviderSecret(this, 'ProviderCredentials', { existingSecretArn: props.providerSecretArn });
    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    let analytics: UsageAnalytics | undefined;
    this.usage = new UsageDelivery(this, 'Usage', {
      accessLogBucket: accessLogs.bucket,
      transitionToInfrequentAccessAfter: props.usageTransitionToInfrequentAccessAfter ?? Duration.days(30),
      expireAfter: props.usageExpireAfter ?? Duration.days(400),
      logRetention,
      // The Glue table reads the bucket and the stream converts with the table's schema: built in between.
      recordSchema: (usageBucket) => {
        analytics = new UsageAnalytics(this, 'UsageAnalytics', { usageBucket, accessLogBucket: accessLogs.bucket });
        return analytics.table;
      },
    });
    if (analytics === undefined) throw new Error('UsageDelivery builds the record schema as it is constructed');
    this.analytics = analytics;
    this.gateway = new GatewayFunction(this, 'Gateway', {
      codePath: props.gatewayCodePath ?? path.join(repositoryRoot, 'dist/gateway'),
      table: this.state.table,
      listingIndexArn: this.state.listingIndexArn,
      providerSecret: this.providerSecret.secret,
      usageStream: this.usage.deliveryStream,
      cors: props.cors ?? DEFAULT_CORS,
      logRetention,
      bedrockAccess,
    });
    this.healthProbe = new HealthProbe(this, 'HealthProbe', {
      codePath: props.probeCodePath ?? path.join(repositoryRoot, 'dist/health-probe'),
      table: this.state.table,
      providerSecret: this.providerSecret.secret,
      logRetention,
      bedrockAccess,
    });
    this.reclaimSweep = new ReclaimSweep(this, 'ReclaimSweep', {
      codePath: props.reclaimCodePath ?? path.join(repositoryRoot, 'dist/reclaim'),
      table: this.state.table,
      listingIndexArn: this.state.listingIndexArn,
      logRetention,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      gateway: this.gateway.function,
      healthProbe: this.healthProbe.function,
      reclaimSweep: this.reclaimSweep.function,
      usageStream: this.usage.deliveryStream,
      alarmTopic: props.alarmTopicArn === undefined ? undefined : sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn),
    });

    const url = this.gateway.functionUrl.url;
    new CfnOutput(this, 'FunctionUrl', { value: url, description: 'The gateway Function URL' });
    new CfnOutput(this, 'BaseUrl', { value: `${url}api/v1`, description: 'base_url for OpenAI SDKs' });
    new CfnOutput(this, 'ProviderSecretName', {
      value: this.providerSecret.secret.secretName,
      description: 'Put provider API keys here as a JSON map',
    });
    new CfnOutput(this, 'TableName', { value: this.state.table.tableName });
    new CfnOutput(this, 'UsageBucket', { value: this.usage.bucket.bucketName });
    new CfnOutput(this, 'Workgroup', { value: this.analytics.workGroupName, description: 'Athena workgroup with the saved usage queries' });
    new CfnOutput(this, 'UsageDatabase', { value: this.analytics.databaseName, description: `Glue database of the ${this.analytics.tableName} table` });
  }
}
