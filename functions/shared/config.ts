// The one place the Lambda functions read their environment (DESIGN: no
// process.env reads elsewhere). infra/ sets these variables.
export interface FunctionConfig {
  tableName: string;
  secretId: string;
  usageStreamName: string;
  /** A catalog document in JSON replacing the default, if set. */
  catalogJson: string | undefined;
  /**
   * Whether an invocation is already waiting for this start-up (Lambda's
   * `on-demand` initialization type): only then may start-up begin requests
   * the first invocation will need. Provisioned concurrency freezes the
   * environment after start-up, and a request frozen mid-flight could leave
   * a load hanging.
   */
  invocationWaiting: boolean;
}

type Environment = Record<string, string | undefined>;

function need(env: Environment, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}

export function readConfig(env: Environment = process.env): FunctionConfig {
  return {
    ...readProbeConfig(env),
    usageStreamName: need(env, 'SWITCHYARD_USAGE_STREAM_NAME'),
    invocationWaiting: env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand',
  };
}

/** What the health probe needs: it writes no usage records, so it is given no stream. */
export function readProbeConfig(env: Environment = process.env): Omit<FunctionConfig, 'usageStreamName' | 'invocationWaiting'> {
  return {
    tableName: readTableName(env),
    secretId: need(env, 'SWITCHYARD_PROVIDER_SECRET_ID'),
    catalogJson: env.SWITCHYARD_CATALOG_JSON,
  };
}

/** The table only: for a function that needs nothing else (the reclaim sweep) and is not given the rest. */
export function readTableName(env: Environment = process.env): string {
  return need(env, 'SWITCHYARD_TABLE_NAME');
}
