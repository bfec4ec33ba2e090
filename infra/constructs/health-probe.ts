// The health probe: every minute (EventBridge Scheduler's finest rate) it
// checks each endpoint and records the result as health items. It may touch
// only those items: the policy limits every table action to partition keys
// that start with the health prefix, so it can never read keys or credits.
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_ENVIRONMENT } from '../function-environment.ts';
import { grantBedrockInvoke } from './bedrock-access.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { NodeFunction } from './node-function.ts';

/** The `pk` prefix of health items (lib/store's health module writes `HEALTH#<endpoint>`). */
export const HEALTH_KEY_PREFIX = 'HEALTH#';

// What recording a probe result does (lib/store/health.ts `update`: a
// consistent read, then a conditional put). Both carry a partition key, so
// the LeadingKeys condition below holds; Scan carries none, and `ForAllValues`
// over an empty key set is true, so Scan must stay out.
export const HEALTH_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

export interface HealthProbeProps {
  codePath: string;
  table: dynamodb.ITable;
  providerSecret: secretsmanager.ISecret;
  logRetention: logs.RetentionDays;
  /** Allow probing Amazon Bedrock models with the function's role. */
  bedrockAccess: boolean;
  healthKeyPrefix?: string;
}

export class HealthProbe extends Construct {
  readonly function: lambda.Function;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: HealthProbeProps) {
    super(scope, id);
    const { function: probe, role } = new NodeFunction(this, 'Probe', {
      description: 'Switchyard health probe: checks every endpoint each minute',
      codePath: props.codePath,
      memorySize: 512,
      // Finishes well inside the one-minute period, so runs never overlap.
      timeout: Duration.seconds(50),
      environment: {
        [FUNCTION_ENVIRONMENT.mode]: 'aws',
        [FUNCTION_ENVIRONMENT.tableName]: props.table.tableName,
        [FUNCTION_ENVIRONMENT.providerSecretId]: props.providerSecret.secretArn,
      },
      logRetention: props.logRetention,
    });
    this.function = probe;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'HealthItemsOnly',
        actions: [...HEALTH_ITEM_ACTIONS],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${props.healthKeyPrefix ?? HEALTH_KEY_PREFIX}*`] },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadProviderCredentials', actions: ['secretsmanager:GetSecretValue'], resources: [props.providerSecret.secretArn] }),
    );
    if (props.bedrockAccess) grantBedrockInvoke(role);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Lets EventBridge Scheduler invoke the Switchyard health probe',
    });
    this.schedule = new scheduler.Schedule(this, 'EveryMinute', {
      description: 'Run the Switchyard health probe',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      timeWindow: scheduler.TimeWindow.off(),
      // A missed run is not retried: the next one is a minute away and fresher.
      target: new targets.LambdaInvoke(probe, { role: schedulerRole, retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
    acknowledgeWildcardResource(
      schedulerRole,
      `${probe.functionArn}:*`,
      'grantInvoke adds the ARN of every version and alias of this one probe function; the role may invoke nothing else.',
    );
  }
}
