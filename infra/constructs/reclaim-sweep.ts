// The reclaim sweep: every five minutes it returns credit holds that were
// never settled (their request crashed or timed out; they expire after 20
// minutes) to their accounts and keys. The gateway also reclaims an
// account's holds when they would refuse a request; this sweep frees the rest
// before anyone is refused. Its role may change account and key items only.
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { FUNCTION_ENVIRONMENT } from '../function-environment.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { NodeFunction } from './node-function.ts';

/** The `pk` prefixes of the items holds live on (lib/store: `ACCOUNT#<id>`, `KEY#<hash>`). */
export const HOLD_KEY_PREFIXES = ['ACCOUNT#', 'KEY#'] as const;

export interface ReclaimSweepProps {
  codePath: string;
  table: dynamodb.ITable;
  /** The table's listing index (infra/constructs/state-table.ts): accounts and their keys. */
  listingIndexArn: string;
  logRetention: logs.RetentionDays;
  /** How often the sweep runs. Default: every five minutes, against holds that live 20. */
  rate?: Duration;
}

export class ReclaimSweep extends Construct {
  readonly function: lambda.Function;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ReclaimSweepProps) {
    super(scope, id);
    const rate = props.rate ?? Duration.minutes(5);
    const { function: sweep, role } = new NodeFunction(this, 'Sweep', {
      description: 'Switchyard reclaim sweep: returns expired credit holds to their accounts and keys',
      codePath: props.codePath,
      memorySize: 256,
      // Far inside the period, so runs never overlap.
      timeout: Duration.minutes(1),
      environment: {
        [FUNCTION_ENVIRONMENT.mode]: 'aws',
        [FUNCTION_ENVIRONMENT.tableName]: props.table.tableName,
      },
      logRetention: props.logRetention,
    });
    this.function = sweep;

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AccountAndKeyItemsOnly',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': HOLD_KEY_PREFIXES.map((prefix) => `${prefix}*`) },
        },
      }),
    );
    // Accounts and each account's keys are listed by the listing index, which
    // holds the primary keys of account and key items and nothing else (it is
    // sparse and keys-only), so a Query of it needs no condition to stay
    // within them. The role cannot read the table at large: no Scan, no
    // Query on the table.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListAccountsAndKeys',
        actions: ['dynamodb:Query'],
        resources: [props.listingIndexArn],
      }),
    );

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Lets EventBridge Scheduler invoke the Switchyard reclaim sweep',
    });
    this.schedule = new scheduler.Schedule(this, 'OnRate', {
      description: 'Run the Switchyard reclaim sweep',
      schedule: scheduler.ScheduleExpression.rate(rate),
      timeWindow: scheduler.TimeWindow.off(),
      // A missed run is not retried: the next one comes soon and finds the same holds.
      target: new targets.LambdaInvoke(sweep, { role: schedulerRole, retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
    acknowledgeWildcardResource(
      schedulerRole,
      `${sweep.functionArn}:*`,
      'grantInvoke adds the ARN of every version and alias of this one sweep function; the role may invoke nothing else.',
    );
  }
}
