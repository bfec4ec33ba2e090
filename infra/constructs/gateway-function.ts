// The gateway: a response-streaming Lambda behind a public Function URL.
// Auth is NONE on purpose: callers present Switchyard API keys, which the code
// checks (hashing, revocation); SigV4 would lock out every OpenAI SDK.
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_ENVIRONMENT } from '../function-environment.ts';
import { grantBedrockInvoke } from './bedrock-access.ts';
import { NodeFunction } from './node-function.ts';

export const DEFAULT_CORS: lambda.FunctionUrlCorsOptions = {
  allowedOrigins: ['*'],
  allowedMethods: [lambda.HttpMethod.GET, lambda.HttpMethod.POST, lambda.HttpMethod.PATCH, lambda.HttpMethod.DELETE],
  allowedHeaders: ['authorization', 'content-type', 'x-session-id'],
  exposedHeaders: ['x-generation-id'],
  maxAge: Duration.hours(1),
};

/**
 * The table calls of the gateway's request path and management API: keys,
 * balances, holds, generations (BatchWriteItem; listed by Query per account
 * and day), activity rollups (Query), health (BatchGetItem), an account's
 * keys (BatchGetItem after a Query of the listing index, below). No Scan.
 */
export const GATEWAY_TABLE_ACTIONS = ['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'] as const;

export interface GatewayFunctionProps {
  codePath: string;
  table: dynamodb.ITable;
  /** The table's listing index (infra/constructs/state-table.ts): an account's keys. */
  listingIndexArn: string;
  providerSecret: secretsmanager.ISecret;
  usageStream: firehose.IDeliveryStream;
  /** CORS on the Function URL; `false` for none (server-to-server callers only). */
  cors: lambda.FunctionUrlCorsOptions | false;
  logRetention: logs.RetentionDays;
  /** Allow calling Amazon Bedrock models with the function's role. */
  bedrockAccess: boolean;
}

export class GatewayFunction extends Construct {
  readonly function: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const { function: gateway, role } = new NodeFunction(this, 'Gateway', {
      description: 'Switchyard gateway: OpenAI-compatible API, streams responses',
      codePath: props.codePath,
      // The measured choice (BENCHMARKS.md, "Lambda as Lambda runs it", from `node bench/scale.ts sizes`):
      // CPU per request is the same at every size, so time scales with the CPU share. At 512 MB (29 % of a
      // vCPU) warm first bytes and 1000-chunk streams came within 20 ms of 1024 MB's (ahead of them in one
      // of two runs), where 256 MB doubles them and adds 0.7 s per cold start; a 10 s stream at 1024 MB costs $0.000133 in duration
      // alone, more than a tenth of OpenRouter's fee on it, where at 512 MB all of AWS stays under it.
      memorySize: 512,
      // Lambda's maximum: a long generation streams for minutes.
      timeout: Duration.minutes(15),
      environment: {
        [FUNCTION_ENVIRONMENT.mode]: 'aws',
        [FUNCTION_ENVIRONMENT.tableName]: props.table.tableName,
        [FUNCTION_ENVIRONMENT.providerSecretId]: props.providerSecret.secretArn,
        [FUNCTION_ENVIRONMENT.usageStreamName]: props.usageStream.deliveryStreamName,
      },
      logRetention: props.logRetention,
    });
    this.function = gateway;
    // Exactly the calls the gateway makes (lib/store, functions/shared/credentials.ts,
    // lib/usage/firehose-sink.ts), not the CDK grants' wider sets (Query, DescribeTable,
    // the stream reads, DescribeSecret, PutRecord).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StateTableItems',
        actions: GATEWAY_TABLE_ACTIONS.map((action) => `dynamodb:${action}`),
        resources: [props.table.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ListAccountKeys', actions: ['dynamodb:Query'], resources: [props.listingIndexArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadProviderCredentials', actions: ['secretsmanager:GetSecretValue'], resources: [props.providerSecret.secretArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteUsageRecords', actions: ['firehose:PutRecordBatch'], resources: [props.usageStream.deliveryStreamArn] }),
    );
    if (props.bedrockAccess) grantBedrockInvoke(role);

    this.functionUrl = gateway.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      cors: props.cors === false ? undefined : props.cors,
    });
  }
}
