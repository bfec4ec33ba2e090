// Structured logs and metrics of the Lambda functions, through Powertools for
// AWS Lambda: Logger writes one JSON object per line (level, message,
// timestamp, service, and the entry's fields), Metrics one line in
// CloudWatch's embedded metric format per invocation that counted
// something, in the Switchyard namespace with the function as the `service`
// dimension (infra/operational-metrics.ts names them; the alarms read them).
//
// lib/ logs through a plain function of entries (`{ level, message, ... }`);
// this is that function at the edges. What is logged is the caller's
// business: lib/ never puts a key, a prompt or a completion into an entry.
//
// Powertools loads on first use, in its own chunk of the bundle: a gateway
// that logs nothing on its first request (the common case) does not parse it
// during its cold start. Entries logged meanwhile are written in order once it
// has loaded.
import { METRICS_NAMESPACE, type MetricService, type OperationalMetric } from '../../infra/operational-metrics.ts';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Observability {
  /** One structured log line; `level` (default info) and `message` are taken from the entry. */
  log(entry: Record<string, unknown>): void;
  /** Adds to a counter published with the next `flush`. */
  count(metric: OperationalMetric, value?: number): void;
  /** Writes what was counted since the last flush (nothing when nothing was); call once at the end of an invocation. */
  flush(): Promise<void>;
}

interface Tools {
  write(level: LogLevel, message: string, fields: Record<string, unknown>): void;
  publish(counts: ReadonlyMap<OperationalMetric, number>): void;
}

async function loadTools(service: MetricService): Promise<Tools> {
  const [{ Logger }, { Metrics, MetricUnit }] = await Promise.all([import('@aws-lambda-powertools/logger'), import('@aws-lambda-powertools/metrics')]);
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  return {
    write: (level, message, fields) => logger[level](message, fields),
    publish: (counts) => {
      for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    },
  };
}

/** What is written when Powertools cannot be loaded: the same entry, as plain JSON. */
const fallbackTools: Tools = {
  write: (level, message, fields) => console.log(JSON.stringify({ level: level.toUpperCase(), message, ...fields })),
  publish: () => undefined,
};

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

export function lambdaObservability(service: MetricService): Observability {
  let tools: Promise<Tools> | undefined;
  const load = (): Promise<Tools> => (tools ??= loadTools(service).catch(() => fallbackTools));
  let counts = new Map<OperationalMetric, number>();
  return {
    log(entry) {
      const { level, message, ...fields } = entry;
      const method: LogLevel = typeof level === 'string' && LEVELS.has(level) ? (level as LogLevel) : 'info';
      const text = typeof message === 'string' ? message : 'log entry';
      void load().then((loaded) => loaded.write(method, text, fields));
    },
    count(metric, value = 1) {
      counts.set(metric, (counts.get(metric) ?? 0) + value);
    },
    async flush() {
      const loaded = await (counts.size > 0 ? load() : tools);
      if (loaded === undefined || counts.size === 0) return;
      const published = counts;
      counts = new Map();
      loaded.publish(published);
    },
  };
}
