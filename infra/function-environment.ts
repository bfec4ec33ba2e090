// Names of the environment variables the stack sets on the Lambda functions;
// the functions' config module reads the same names.
export const FUNCTION_ENVIRONMENT = {
  /** `aws`: DynamoDB, Secrets Manager and Firehose instead of the local stand-ins. */
  mode: 'SWITCHYARD_MODE',
  tableName: 'SWITCHYARD_TABLE_NAME',
  /** ARN of the provider-credentials secret. */
  providerSecretId: 'SWITCHYARD_PROVIDER_SECRET_ID',
  usageStreamName: 'SWITCHYARD_USAGE_STREAM_NAME',
} as const;
