// Alarms on what needs a human, and one dashboard:
//
// - the gateway: invocation errors (something escaped its own error
//   handling), throttles (callers got 429), the share of 5xx replies its
//   Function URL sent, and a p99 duration close to the timeout;
// - usage records: not reaching S3 (Firehose's own delivery metrics) and
//   refused by Firehose after the gateway's retries (its own metric);
// - the health probe: failed runs, and an endpoint failing every probe;
// - the reclaim sweep: failed runs (expired holds then stay out of balances).
//
// With `alarmTopic` every alarm notifies it on ALARM and on OK; without, the
// alarms have no actions and show in the console only.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC_SERVICES, METRICS_NAMESPACE, OPERATIONAL_METRICS, type MetricService, type OperationalMetric } from '../operational-metrics.ts';

export interface MonitoringProps {
  gateway: lambda.IFunction;
  healthProbe: lambda.IFunction;
  /** The reclaim sweep, whose failed runs leave expired holds blocking credits. */
  reclaimSweep?: lambda.IFunction;
  usageStream: firehose.IDeliveryStream;
  /** Where alarms notify (ALARM and OK). Default: nowhere. */
  alarmTopic?: sns.ITopic;
  /** Oldest undelivered usage record age that raises the alarm; the buffer alone accounts for 60 s. */
  maxUsageDataAge?: Duration;
  /** Percent of Function URL requests answered 5xx, over 5 minutes, that raises the alarm. Default 5. */
  maxServerErrorPercent?: number;
  /** p99 gateway duration that raises the alarm. Default 10 minutes: two thirds of the 15-minute timeout. */
  maxDurationP99?: Duration;
}

export class Monitoring extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const custom = (service: MetricService, name: OperationalMetric, statistic: string, label?: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service }, period, statistic, label });
    const gatewayErrors = props.gateway.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
    const gatewayThrottles = props.gateway.metricThrottles({ period, statistic: cloudwatch.Stats.SUM });
    // Function URL metrics count the status each reply carried, streamed replies included.
    const urlRequests = props.gateway.metric('UrlRequestCount', { period, statistic: cloudwatch.Stats.SUM });
    const url5xx = props.gateway.metric('Url5xxCount', { period, statistic: cloudwatch.Stats.SUM });
    const serverErrorPercent = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: urlRequests, errors: url5xx },
      period,
      label: 'gateway 5xx (% of requests)',
    });
    const durationP99 = props.gateway.metricDuration({ period, statistic: 'p99' });
    const usageFreshness = props.usageStream.metric('DeliveryToS3.DataFreshness', { period, statistic: cloudwatch.Stats.MAXIMUM });
    const usageSuccess = props.usageStream.metric('DeliveryToS3.Success', { period, statistic: cloudwatch.Stats.MINIMUM });
    const undelivered = custom(METRIC_SERVICES.gateway, OPERATIONAL_METRICS.usageRecordsUndelivered, cloudwatch.Stats.SUM);
    const probeErrors = props.healthProbe.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
    // The fewest failed endpoints of any run in the period: above zero, some endpoint failed every run.
    const endpointsFailing = custom(METRIC_SERVICES.healthProbe, OPERATIONAL_METRICS.probeEndpointsFailed, cloudwatch.Stats.MINIMUM);

    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    // A rate or a percentile: one bad period is noise, two of three is a trend.
    const aboveInTwoOfThree = {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const alarms = [
      // The gateway renders its own errors; an invocation error means something escaped that.
      gatewayErrors.createAlarm(this, 'GatewayErrors', { ...atLeastOnce, alarmDescription: 'The gateway function failed invocations' }),
      gatewayThrottles.createAlarm(this, 'GatewayThrottles', {
        ...atLeastOnce,
        alarmDescription: 'Lambda throttled gateway invocations: concurrency limit reached, callers got 429',
      }),
      serverErrorPercent.createAlarm(this, 'GatewayServerErrorRate', {
        ...aboveInTwoOfThree,
        threshold: props.maxServerErrorPercent ?? 5,
        alarmDescription: 'More gateway replies than expected were 5xx: providers failing with no fallback left, or the gateway itself',
      }),
      durationP99.createAlarm(this, 'GatewayDurationP99', {
        ...aboveInTwoOfThree,
        threshold: (props.maxDurationP99 ?? Duration.minutes(10)).toMilliseconds(),
        alarmDescription: 'The slowest gateway invocations run close to the 15-minute timeout: streams may be cut off',
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
      undelivered.createAlarm(this, 'UsageRecordsUndelivered', {
        ...atLeastOnce,
        alarmDescription: 'Firehose refused usage records after every retry: they are in the gateway log as "usage record not delivered"',
      }),
      probeErrors.createAlarm(this, 'HealthProbeErrors', {
        ...atLeastOnce,
        threshold: 3,
        alarmDescription: 'The health probe failed three runs within 5 minutes: endpoint health is going stale',
      }),
      endpointsFailing.createAlarm(this, 'EndpointsFailingProbes', {
        ...atLeastOnce,
        evaluationPeriods: 3,
        alarmDescription: 'An endpoint has failed every health probe for 15 minutes (see the probe log for which)',
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
    if (props.alarmTopic !== undefined) {
      const notify = new actions.SnsAction(props.alarmTopic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
      }
    }
    this.alarms = alarms;

    const minute = Duration.minutes(1);
    const percentile = (statistic: string) => props.gateway.metricDuration({ period: minute, statistic, label: `duration ${statistic}` });
    const concurrent = (fn: lambda.IFunction, label: string) =>
      fn.metric('ConcurrentExecutions', { period: minute, statistic: cloudwatch.Stats.MAXIMUM, label });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Gateway invocations', left: [props.gateway.metricInvocations({ period: minute })] }),
          new cloudwatch.GraphWidget({ title: 'Gateway duration (ms)', left: [percentile('p50'), percentile('p99')] }),
          new cloudwatch.GraphWidget({
            title: 'Gateway errors and throttles',
            left: [props.gateway.metricErrors({ period: minute }), props.gateway.metricThrottles({ period: minute })],
            right: [serverErrorPercent],
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
              props.usageStream.metricIncomingRecords({ period }),
              props.usageStream.metric('DeliveryToS3.Records', { period, statistic: cloudwatch.Stats.SUM }),
              undelivered,
            ],
            right: [usageFreshness],
          }),
          new cloudwatch.GraphWidget({
            title: 'Health probe: endpoints per run',
            left: [
              custom(METRIC_SERVICES.healthProbe, OPERATIONAL_METRICS.probeEndpointsOk, cloudwatch.Stats.AVERAGE, 'ok'),
              custom(METRIC_SERVICES.healthProbe, OPERATIONAL_METRICS.probeEndpointsFailed, cloudwatch.Stats.AVERAGE, 'failed'),
              custom(METRIC_SERVICES.healthProbe, OPERATIONAL_METRICS.probeEndpointsSkipped, cloudwatch.Stats.AVERAGE, 'skipped'),
            ],
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24 })],
      ],
    });
  }
}
