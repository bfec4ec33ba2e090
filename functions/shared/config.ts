// The one place the Lambda functions read their environment (DESIGN: no
// process.env reads elsewhere). infra/ sets these variables.
export interface FunctionConfig {
  tableName: string;
  secretId: string;
  usageStreamName: string;
  /** A catalog document in JSON replacing the default, if set. */
  catalogJson: string | undefined;
}

export function readConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
    return value;
  };
  return {
    tableName: need('SWITCHYARD_TABLE_NAME'),
    secretId: need('SWITCHYARD_PROVIDER_SECRET_ID'),
    usageStreamName: need('SWITCHYARD_USAGE_STREAM_NAME'),
    catalogJson: env.SWITCHYARD_CATALOG_JSON,
  };
}
