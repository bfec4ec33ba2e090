// What an operator relies on, asserted on the synthesized template: each
// function's role allows exactly the calls its code makes and no wildcard
// resource without a reason; every log group keeps its logs for a stated
// time; what holds data survives a `cdk destroy`; the alarms that page
// someone exist, and notify the SNS topic given as a context value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IConstruct } from 'constructs';
import { GATEWAY_TABLE_ACTIONS } from '../../infra/constructs/gateway-function.ts';
import { HEALTH_ITEM_ACTIONS } from '../../infra/constructs/health-probe.ts';
import { METRIC_SERVICES, METRICS_NAMESPACE, OPERATIONAL_METRICS } from '../../infra/operational-metrics.ts';
import { asArray, logicalId, mentions, ofType, renderJoin, standInBundle, statementsOfRole, synth, type Json, type Resource, type Synthesized } from './synth-support.ts';

let bundle: ReturnType<typeof standInBundle>;
let main: Synthesized;

beforeAll(() => {
  bundle = standInBundle();
  main = synth(bundle.path);
});

afterAll(() => bundle.remove());

/** `service:Action` for every statement of the role, sorted, with what each applies to. */
function grants(roleOf: IConstruct): Array<{ action: string; resources: string[] }> {
  const roleId = logicalId(main.stack, roleOf);
  return statementsOfRole(main.resources, roleId)
    .flatMap((statement) => asArray(statement.Action).map((action) => ({ action, resources: asArray(statement.Resource).map(renderResource) })))
    .sort((a, b) => a.action.localeCompare(b.action));
}

const renderResource = (resource: unknown): string => (typeof resource === 'string' ? resource : renderJoin(resource));

describe('least privilege', () => {
  const role = (construct: { role?: unknown }): IConstruct => construct.role as IConstruct;

  it('the gateway may make exactly its table, secret, stream, Bedrock and log calls, each on its own resource', () => {
    const ids = {
      table: logicalId(main.stack, main.stack.state.table),
      secret: logicalId(main.stack, main.stack.providerSecret.secret),
      stream: logicalId(main.stack, main.stack.usage.deliveryStream),
    };
    const granted = grants(role(main.stack.gateway.function));

    expect(granted.map((grant) => grant.action)).toEqual(
      [
        ...GATEWAY_TABLE_ACTIONS.map((action) => `dynamodb:${action}`),
        'dynamodb:Query',
        'secretsmanager:GetSecretValue',
        'firehose:PutRecordBatch',
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    const on = (prefix: string) => granted.filter((grant) => grant.action.startsWith(prefix)).flatMap((grant) => grant.resources);
    // The table, and of its index only the listing (an account's keys); no Scan anywhere.
    expect(new Set(on('dynamodb:'))).toEqual(new Set([`<${ids.table}.Arn>`, `<${ids.table}.Arn>/index/listing`]));
    expect(granted.filter((grant) => grant.resources.some((resource) => resource.includes('/index/'))).map((grant) => grant.action)).toEqual(['dynamodb:Query']);
    expect(granted.map((grant) => grant.action)).not.toContain('dynamodb:Scan');
    expect(on('secretsmanager:')).toEqual([`<${ids.secret}>`]);
    expect(on('firehose:')).toEqual([`<${ids.stream}.Arn>`]);
  });

  it('the health probe may read and write health items, read the secret, call Bedrock and write its logs', () => {
    const granted = grants(role(main.stack.healthProbe.function));
    expect(granted.map((grant) => grant.action)).toEqual(
      [...HEALTH_ITEM_ACTIONS, 'secretsmanager:GetSecretValue', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
    );
  });

  it('the reclaim sweep may get and update items, query the listing index and write its logs, nothing else', () => {
    const granted = grants(role(main.stack.reclaimSweep.function));
    expect(granted.map((grant) => grant.action)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const tableId = logicalId(main.stack, main.stack.state.table);
    expect(granted.find((grant) => grant.action === 'dynamodb:Query')?.resources).toEqual([`<${tableId}.Arn>/index/listing`]);
  });

  it('grants no wildcard resource but those an API requires, each with its reason in the code', () => {
    const wildcards = ofType(main.resources, 'AWS::IAM::Policy')
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<{ Resource: unknown }> }).Statement)
      .flatMap((statement) => asArray(statement.Resource).map(renderResource))
      .filter((resource) => resource.includes('*'));
    const explained: RegExp[] = [
      // Which models the catalog calls changes without a deploy (infra/constructs/bedrock-access.ts).
      /^arn:<AWS::Partition>:bedrock:\*::foundation-model\/\*$/,
      /^arn:<AWS::Partition>:bedrock:\*:<AWS::AccountId>:inference-profile\/\*$/,
      // Firehose names its objects itself, under two prefixes (infra/constructs/usage-delivery.ts).
      /^<[A-Za-z0-9]+\.Arn>\/usage-parquet\/\*$/,
      /^<[A-Za-z0-9]+\.Arn>\/usage-errors\/\*$/,
      // grantInvoke adds the ARN of every version of the one scheduled function (health-probe.ts, reclaim-sweep.ts).
      /^<[A-Za-z0-9]+\.Arn>:\*$/,
    ];

    expect(wildcards.length).toBeGreaterThan(0);
    expect(wildcards.filter((resource) => !explained.some((pattern) => pattern.test(resource)))).toEqual([]);
    expect(wildcards).not.toContain('*');
  });
});

describe('logs', () => {
  it('every log group keeps its logs for three months, and outlives the stack', () => {
    const groups = ofType(main.resources, 'AWS::Logs::LogGroup');
    // The three functions and Firehose's delivery errors.
    expect(groups).toHaveLength(4);
    for (const [, group] of groups) {
      expect(group.Properties.RetentionInDays).toBe(90);
      expect(group.DeletionPolicy).toBe('Retain');
    }
    for (const fn of [main.stack.gateway.function, main.stack.healthProbe.function, main.stack.reclaimSweep.function]) {
      const properties = main.resources[logicalId(main.stack, fn)]?.Properties ?? {};
      expect(groups.some(([id]) => mentions(properties.LoggingConfig, id))).toBe(true);
    }
  });
});

describe('removal policies', () => {
  it('retain what holds data: the table, every bucket, the provider secret', () => {
    const retained = (resource: Resource | undefined) => resource?.DeletionPolicy === 'Retain' && resource.UpdateReplacePolicy === 'Retain';
    expect(retained(main.resources[logicalId(main.stack, main.stack.state.table)])).toBe(true);
    for (const [, bucket] of ofType(main.resources, 'AWS::S3::Bucket')) expect(retained(bucket)).toBe(true);
    for (const [, secret] of ofType(main.resources, 'AWS::SecretsManager::Secret')) expect(retained(secret)).toBe(true);
  });

  it('delete what can be made again from the code: functions, schedules, the Glue catalog entries, the workgroup, alarms', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::Scheduler::Schedule', 'AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup', 'AWS::CloudWatch::Alarm']) {
      const resources = ofType(main.resources, type);
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [, resource] of resources) expect(resource.DeletionPolicy, type).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  const alarms = () => ofType(main.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const onFunction = (fn: IConstruct, metric: string) => alarms().filter((alarm) => alarm.MetricName === metric && mentions(alarm.Dimensions, logicalId(main.stack, fn)));
  const custom = (metric: string, service: string) =>
    alarms().filter((alarm) => alarm.Namespace === METRICS_NAMESPACE && alarm.MetricName === metric && mentions(alarm.Dimensions, service));

  it('watch the gateway 5xx rate from its Function URL metrics', () => {
    const rates = alarms().filter((alarm) => JSON.stringify(alarm.Metrics ?? []).includes('Url5xxCount'));
    expect(rates).toHaveLength(1);
    const metrics = rates[0]?.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }>;
    expect(metrics.map((metric) => metric.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['Url5xxCount', 'UrlRequestCount']);
    expect(metrics.find((metric) => metric.Expression !== undefined)?.Expression).toMatch(/100 \* errors \/ requests/);
    expect(rates[0]).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('watch gateway throttles and its p99 duration', () => {
    expect(onFunction(main.stack.gateway.function, 'Throttles')).toHaveLength(1);
    const duration = onFunction(main.stack.gateway.function, 'Duration');
    expect(duration).toEqual([expect.objectContaining({ ExtendedStatistic: 'p99', Threshold: 600_000 })]);
  });

  it('watch usage delivery: Firehose to S3, and records Firehose refused after the retries', () => {
    const names = alarms().map((alarm) => alarm.MetricName);
    expect(names).toEqual(expect.arrayContaining(['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success']));
    expect(custom(OPERATIONAL_METRICS.usageRecordsUndelivered, METRIC_SERVICES.gateway)).toEqual([expect.objectContaining({ Statistic: 'Sum', Threshold: 1 })]);
  });

  it('watch the health probe: failed runs, and an endpoint failing every probe', () => {
    expect(onFunction(main.stack.healthProbe.function, 'Errors')).toHaveLength(1);
    expect(custom(OPERATIONAL_METRICS.probeEndpointsFailed, METRIC_SERVICES.healthProbe)).toEqual([
      expect.objectContaining({ Statistic: 'Minimum', EvaluationPeriods: 3, Threshold: 1 }),
    ]);
  });

  it('have no actions by default, and notify the context topic on ALARM and OK when one is given', () => {
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:switchyard-alarms';
    const notified = synth(bundle.path, { alarmTopicArn: topicArn });
    const withTopic = ofType(notified.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties as Json);
    expect(withTopic).toHaveLength(alarms().length);
    for (const alarm of withTopic) {
      expect(alarm.AlarmActions).toEqual([topicArn]);
      expect(alarm.OKActions).toEqual([topicArn]);
    }
  });
});
