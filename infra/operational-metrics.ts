// The custom metrics the Lambda functions publish (CloudWatch embedded metric
// format, through Powertools Metrics) and the alarms in
// constructs/monitoring.ts read. One list, imported by both sides, so a name
// cannot drift apart. Powertools adds the `service` dimension: the function.
export const METRICS_NAMESPACE = 'Switchyard';

export const METRIC_SERVICES = {
  gateway: 'gateway',
  healthProbe: 'health-probe',
  reclaim: 'reclaim',
} as const;

export type MetricService = (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES];

export const OPERATIONAL_METRICS = {
  /** Usage records Firehose still refused after the sink's retries (each is logged as `usage record not delivered`). */
  usageRecordsUndelivered: 'UsageRecordsUndelivered',
  /** Per probe run: endpoints that answered, failed, or were skipped (no key, no URL). */
  probeEndpointsOk: 'ProbeEndpointsOk',
  probeEndpointsFailed: 'ProbeEndpointsFailed',
  probeEndpointsSkipped: 'ProbeEndpointsSkipped',
  /** Per sweep: expired holds returned, and accounts the sweep could not finish. */
  reclaimedHolds: 'ReclaimedHolds',
  reclaimFailedAccounts: 'ReclaimFailedAccounts',
} as const;

export type OperationalMetric = (typeof OPERATIONAL_METRICS)[keyof typeof OPERATIONAL_METRICS];
