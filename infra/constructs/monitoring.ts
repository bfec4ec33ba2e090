// Alarms on what needs a human (gateway errors and throttles, usage records
// not reaching S3, a failing reclaim sweep) and one dashboard. The alarms have no actions: wire them to
// your paging through `alarms` (e.g. an SNS topic) in your own stack.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface MonitoringProps {
  gateway: lambda.IFunction;
  healthProbe: lambda.IFunction;
  /** The reclaim sweep, whose failed runs leave expired holds blocking credits. */
  reclaimSweep?: lambda.IFunction;
  usageStream: firehose.IDeliveryStream;
  /** Oldest undelivered usage record age that raises the alarm; the buffer alone accounts for 60 s. */
  maxUsageDataAge?: Duration;
}

export class Monitoring extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const gatewayErrors = props.gateway.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
    const gatewayThrottles = props.gateway.metricThrottles({ period, statistic: cloudwatch.Stats.SUM });
    const usageFreshness = props.usageStream.metric('DeliveryToS3.DataFreshness', { period, statistic: cloudwatch.Stats.MAXIMUM });
    const usageSuccess = props.usageStream.metric('DeliveryToS3.Success', { period, statistic: cloudwatch.Stats.MINIMUM });

    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const alarms = [
      // The gateway renders its own errors; an invocation error means something escaped that.
      gatewayErrors.createAlarm(this, 'GatewayErrors', { ...atLeastOnce, alarmDescription: 'The gateway function failed invocations' }),
      gatewayThrottles.createAlarm(this, 'GatewayThrottles', {
        ...atLeastOnce,
        alarmDescription: 'Lambda throttled gateway invocations: concurrency limit reached, callers got 429',
      }),
      usageFreshness.createAlarm(this, 'UsageDeliveryDelayed', {
        threshold: (props.maxUsageDataAge ?? Duration.minutes(15)).toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: 'Usage records wait in Firehose longer than expected: S3 delivery is failing',
      }),
      usageSuccess.createAlarm(this, 'UsageDeliveryFailed', {
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: 'Firehose failed to write usage records to S3',
      }),
    ];
    if (props.reclaimSweep !== undefined) {
      // Two failed runs: expired holds stay out of balances (the gateway still reclaims an account's own when they would refuse it).
      const reclaimErrors = props.reclaimSweep.metricErrors({ period: Duration.minutes(10), statistic: cloudwatch.Stats.SUM });
      alarms.push(
        reclaimErrors.createAlarm(this, 'ReclaimSweepErrors', {
          ...atLeastOnce,
          threshold: 2,
          alarmDescription: 'The reclaim sweep failed: expired credit holds are not being returned to accounts',
        }),
      );
    }
    this.alarms = alarms;

    const percentile = (statistic: string) => props.gateway.metricDuration({ period: Duration.minutes(1), statistic, label: `duration ${statistic}` });
    const concurrent = (fn: lambda.IFunction, label: string) =>
      fn.metric('ConcurrentExecutions', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM, label });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Gateway invocations', left: [props.gateway.metricInvocations({ period: Duration.minutes(1) })] }),
          new cloudwatch.GraphWidget({ title: 'Gateway duration (ms)', left: [percentile('p50'), percentile('p99')] }),
          new cloudwatch.GraphWidget({
            title: 'Gateway errors and throttles',
            left: [props.gateway.metricErrors({ period: Duration.minutes(1) }), props.gateway.metricThrottles({ period: Duration.minutes(1) })],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Concurrent executions',
            left: [concurrent(props.gateway, 'gateway'), concurrent(props.healthProbe, 'health probe')],
          }),
          new cloudwatch.GraphWidget({
            title: 'Usage records',
            left: [
              props.usageStream.metricIncomingRecords({ period: Duration.minutes(5) }),
              props.usageStream.metric('DeliveryToS3.Records', { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
            ],
            right: [usageFreshness],
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms] }),
        ],
      ],
    });
  }
}
