// Synthesises the stack offline (no AWS account) with the context of cdk.json
// and asserts the properties that matter, never a snapshot or a literal
// logical id: ids are taken from the constructs themselves.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_ATTRIBUTES } from '../../infra/constructs/state-table.ts';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-environment.ts';
import { USAGE_QUERIES } from '../../infra/queries.ts';
import { SwitchyardStack, type SwitchyardStackProps } from '../../infra/switchyard-stack.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/store/table.ts';
import type { UsageAttempt, UsageRecord } from '../../lib/usage/record.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

let bundleDirectory = '';

function synth(props: SwitchyardStackProps = {}) {
  const app = new App({ context: cdkContext });
  // `npm run build` makes dist/; a stand-in bundle keeps this test independent of it.
  const stack = new SwitchyardStack(app, 'SwitchyardTest', { gatewayCodePath: bundleDirectory, probeCodePath: bundleDirectory, ...props });
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
  return { app, stack, template, resources };
}

const logicalId = (stack: Stack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ofType = (resources: Record<string, Resource>, type: string): Array<[string, Resource]> =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const mentions = (value: unknown, id: string): boolean => JSON.stringify(value).includes(`"${id}"`);

/** The statements of every inline policy attached to the role. */
function statementsOfRole(resources: Record<string, Resource>, roleId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => asArray(policy.Properties.Roles as unknown[]).some((role) => mentions(role, roleId)))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

let main: ReturnType<typeof synth>;

beforeAll(() => {
  bundleDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bundle-'));
  writeFileSync(path.join(bundleDirectory, 'index.mjs'), 'export const handler = async () => {};\n');
  main = synth();
});

afterAll(() => {
  rmSync(bundleDirectory, { recursive: true, force: true });
});

describe('gateway function', () => {
  it('streams through a public Function URL', () => {
    const gatewayId = logicalId(main.stack, main.stack.gateway.function);
    const urls = ofType(main.resources, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    const url = urls[0]?.[1].Properties ?? {};
    expect(url.InvokeMode).toBe('RESPONSE_STREAM');
    expect(url.AuthType).toBe('NONE');
    expect(url.TargetFunctionArn).toEqual({ 'Fn::GetAtt': [gatewayId, 'Arn'] });
    expect(url.Cors).toMatchObject({
      AllowOrigins: ['*'],
      AllowMethods: expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']) as unknown,
      AllowHeaders: expect.arrayContaining(['authorization', 'content-type', 'x-session-id']) as unknown,
    });
  });

  it('lets anyone invoke it through the URL, and only through the URL (both statements required since Oct 2025)', () => {
    const gatewayId = logicalId(main.stack, main.stack.gateway.function);
    const permissions = ofType(main.resources, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((permission) => mentions(permission.FunctionName, gatewayId));
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }),
      ]),
    );
  });

  it('runs Node.js 24 on arm64 with a 15-minute timeout and its dependencies in the environment', () => {
    const gateway = main.resources[logicalId(main.stack, main.stack.gateway.function)]?.Properties ?? {};
    expect(gateway).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 1024, Timeout: 900 });
    const variables = (gateway.Environment as { Variables: Json }).Variables;
    expect(variables[FUNCTION_ENVIRONMENT.mode]).toBe('aws');
    expect(variables[FUNCTION_ENVIRONMENT.tableName]).toEqual({ Ref: logicalId(main.stack, main.stack.state.table) });
    expect(variables[FUNCTION_ENVIRONMENT.providerSecretId]).toEqual({ Ref: logicalId(main.stack, main.stack.providerSecret.secret) });
    expect(variables[FUNCTION_ENVIRONMENT.usageStreamName]).toEqual({ Ref: logicalId(main.stack, main.stack.usage.deliveryStream) });
  });

  it('may use the table, the secret and the stream, but not read usage objects', () => {
    const roleId = logicalId(main.stack, main.stack.gateway.function.role as IConstruct);
    const statements = statementsOfRole(main.resources, roleId);
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'secretsmanager:GetSecretValue', 'firehose:PutRecordBatch']));
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual([]);
    const bucketId = logicalId(main.stack, main.stack.usage.bucket);
    expect(statements.filter((statement) => mentions(statement.Resource, bucketId))).toEqual([]);
  });

  it('may invoke Bedrock models, and nothing else of Bedrock', () => {
    const roleId = logicalId(main.stack, main.stack.gateway.function.role as IConstruct);
    const bedrockActions = statementsOfRole(main.resources, roleId)
      .flatMap((statement) => asArray(statement.Action))
      .filter((action) => action.startsWith('bedrock:'));
    expect(bedrockActions.sort()).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
  });

  it('has no AWS managed policy (its role may write only to its own log group)', () => {
    for (const role of [main.stack.gateway.function.role, main.stack.healthProbe.function.role]) {
      const properties = main.resources[logicalId(main.stack, role as IConstruct)]?.Properties ?? {};
      expect(properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('health probe', () => {
  it('runs every minute on EventBridge Scheduler', () => {
    const probeId = logicalId(main.stack, main.stack.healthProbe.function);
    const schedules = ofType(main.resources, 'AWS::Scheduler::Schedule').map(([, schedule]) => schedule.Properties);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect((schedules[0]?.Target as Json).Arn).toEqual({ 'Fn::GetAtt': [probeId, 'Arn'] });
    expect(main.resources[probeId]?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
  });

  it('may touch only health items in the table', () => {
    const roleId = logicalId(main.stack, main.stack.healthProbe.function.role as IConstruct);
    const tableId = logicalId(main.stack, main.stack.state.table);
    const onTable = statementsOfRole(main.resources, roleId).filter((statement) => mentions(statement.Resource, tableId));
    expect(onTable.length).toBeGreaterThan(0);
    for (const statement of onTable) {
      expect(statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['HEALTH#*'] } });
      // Scan carries no leading key, and ForAllValues over an empty set would allow it.
      expect(asArray(statement.Action)).not.toContain('dynamodb:Scan');
      expect(asArray(statement.Action).every((action) => action.startsWith('dynamodb:') && !action.includes('*'))).toBe(true);
    }
  });

  it('has no permission beyond health items, the secret, its logs and Bedrock', () => {
    const roleId = logicalId(main.stack, main.stack.healthProbe.function.role as IConstruct);
    const actions = statementsOfRole(main.resources, roleId).flatMap((statement) => asArray(statement.Action));
    const services = new Set(actions.map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual(['bedrock', 'dynamodb', 'logs', 'secretsmanager']);
  });

  it('may read the provider secret', () => {
    const roleId = logicalId(main.stack, main.stack.healthProbe.function.role as IConstruct);
    const secretId = logicalId(main.stack, main.stack.providerSecret.secret);
    const onSecret = statementsOfRole(main.resources, roleId).filter((statement) => mentions(statement.Resource, secretId));
    expect(onSecret.flatMap((statement) => asArray(statement.Action))).toContain('secretsmanager:GetSecretValue');
  });
});

describe('state table', () => {
  it('uses the key and TTL attribute names of lib/store/table.ts', () => {
    expect(TABLE_ATTRIBUTES).toEqual({ partitionKey: PARTITION_KEY, sortKey: SORT_KEY, timeToLive: TTL_ATTRIBUTE });
    const table = main.resources[logicalId(main.stack, main.stack.state.table)];
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ]);
    expect(table?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it('is on demand, encrypted, recoverable and protected from deletion', () => {
    const tables = ofType(main.resources, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const table = tables[0]?.[1];
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('buckets', () => {
  it('are all encrypted, private and retained', () => {
    const buckets = ofType(main.resources, 'AWS::S3::Bucket');
    expect(buckets.length).toBe(3);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  it('deny every request that does not use TLS', () => {
    const policies = ofType(main.resources, 'AWS::S3::BucketPolicy').map(([, policy]) => policy.Properties);
    for (const [bucketId] of ofType(main.resources, 'AWS::S3::Bucket')) {
      const policy = policies.find((candidate) => mentions(candidate.Bucket, bucketId));
      const statements = (policy?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('log access to the separate log bucket', () => {
    const logBucketIds = ofType(main.resources, 'AWS::S3::Bucket')
      .filter(([, bucket]) => bucket.Properties.LoggingConfiguration === undefined)
      .map(([id]) => id);
    expect(logBucketIds).toHaveLength(1);
    for (const bucket of [main.stack.usage.bucket, main.stack.analytics.resultsBucket]) {
      expect(main.resources[logicalId(main.stack, bucket)]?.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: logBucketIds[0] },
      });
    }
  });

  it('moves usage objects to infrequent access after 30 days and expires them after 400', () => {
    const usage = main.resources[logicalId(main.stack, main.stack.usage.bucket)];
    expect((usage?.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 400, Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }] }),
    );
  });
});

describe('usage pipeline', () => {
  const firehoseDestination = () => {
    const streams = ofType(main.resources, 'AWS::KinesisFirehose::DeliveryStream');
    expect(streams).toHaveLength(1);
    return streams[0]?.[1].Properties ?? {};
  };
  const glueTable = () => {
    const tables = ofType(main.resources, 'AWS::Glue::Table');
    expect(tables).toHaveLength(1);
    return (tables[0]?.[1].Properties.TableInput ?? {}) as Json;
  };

  it('delivers direct puts, encrypted, gzipped, every 60 s or 5 MiB into the usage bucket', () => {
    const stream = firehoseDestination();
    expect(stream.DeliveryStreamType).toBe('DirectPut');
    expect(stream.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const destination = stream.ExtendedS3DestinationConfiguration as Json;
    expect(destination).toMatchObject({ CompressionFormat: 'GZIP', BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 } });
    expect(destination.BucketARN).toEqual({ 'Fn::GetAtt': [logicalId(main.stack, main.stack.usage.bucket), 'Arn'] });
    expect(destination.ErrorOutputPrefix).toEqual(expect.stringContaining('!{firehose:error-output-type}'));
    expect(String(destination.ErrorOutputPrefix).startsWith(`${String(destination.Prefix).split('/')[0]}/`)).toBe(false);
  });

  it('projects exactly the partitions the Firehose prefix writes', () => {
    const prefix = String((firehoseDestination().ExtendedS3DestinationConfiguration as Json).Prefix);
    const table = glueTable();
    const parameters = table.Parameters as Record<string, unknown>;
    const usageBucketId = logicalId(main.stack, main.stack.usage.bucket);

    const location = renderJoin(parameters['storage.location.template']);
    const bucketPart = `s3://<${usageBucketId}>/`;
    expect(location.startsWith(bucketPart)).toBe(true);

    const firehoseSegments = pathSegments(prefix, /^!\{timestamp:([^}]+)\}$/);
    const glueSegments = pathSegments(location.slice(bucketPart.length), /^\$\{([^}]+)\}$/);
    // Same folders, same partition keys in the same order.
    expect(glueSegments.map((segment) => segment.key)).toEqual(firehoseSegments.map((segment) => segment.key));
    const partitionKeys = (table.PartitionKeys as Array<{ Name: string; Type: string }>).map((key) => key.Name);
    expect(glueSegments.filter((segment) => segment.placeholder !== undefined).map((segment) => segment.placeholder)).toEqual(partitionKeys);
    expect(firehoseSegments.filter((segment) => segment.placeholder !== undefined).map((segment) => segment.key)).toEqual(partitionKeys);

    // Each timestamp format writes what the projection of that key reads.
    const formats = Object.fromEntries(firehoseSegments.map((segment) => [segment.key, segment.placeholder]));
    expect(parameters['projection.dt.type']).toBe('date');
    expect(parameters['projection.dt.format']).toBe(formats.dt);
    expect(formats.hour).toBe('HH');
    expect(parameters).toMatchObject({ 'projection.hour.type': 'integer', 'projection.hour.range': '0,23', 'projection.hour.digits': '2' });
    expect(parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.range': 'NOW-2YEARS,NOW' });
    expect(renderJoin((table.StorageDescriptor as Json).Location)).toBe(`${bucketPart}${prefix.split('/')[0]}/`);
  });

  it('has a column for every UsageRecord field, typed to match', () => {
    // Typed as the interfaces: the compiler rejects a missing or an extra field, so the keys are complete.
    const attempt: UsageAttempt = { endpoint: 'm@p', provider: 'P', model: 'm', status: 429, error_code: 'rate_limited', latency_ms: 12 };
    const record: UsageRecord = {
      id: 'gen-1',
      created_at: '2026-03-01T00:00:00.000Z',
      key_hash_prefix: 'abcd',
      account_id: 'acct',
      model_requested: 'm',
      model: 'm',
      provider: 'P',
      endpoint: 'm@p',
      streamed: true,
      status: 200,
      error_code: 'none',
      finish_reason: 'stop',
      native_finish_reason: 'stop',
      prompt_tokens: 1,
      completion_tokens: 2,
      cached_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      cost_micros: 3,
      ttfb_ms: 4,
      latency_ms: 5,
      attempts: [attempt],
      fallback: false,
      cancelled: false,
      session_id: 's',
      user: 'u',
    };
    const table = glueTable();
    const descriptor = table.StorageDescriptor as { Columns: Array<{ Name: string; Type: string }>; SerdeInfo: Json };
    expect(descriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(descriptor.Columns.map((column) => column.Name)).toEqual(Object.keys(record));
    expect(table.PartitionKeys).toEqual([
      expect.objectContaining({ Name: 'dt', Type: 'string' }),
      expect.objectContaining({ Name: 'hour', Type: 'string' }),
    ]);
    for (const column of descriptor.Columns) {
      if (column.Name === 'attempts') {
        const fields = parseArrayOfStruct(column.Type);
        expect(fields.map((field) => field.name)).toEqual(Object.keys(attempt));
        for (const field of fields) expectTypeFits(field.type, attempt[field.name as keyof UsageAttempt]);
      } else {
        expectTypeFits(column.Type, record[column.Name as keyof UsageRecord]);
      }
    }
  });

  it('queries through an Athena workgroup that enforces encrypted results in the results bucket', () => {
    const workGroups = ofType(main.resources, 'AWS::Athena::WorkGroup').map(([, workGroup]) => workGroup.Properties);
    expect(workGroups).toHaveLength(1);
    const configuration = workGroups[0]?.WorkGroupConfiguration as Json;
    expect(configuration.EnforceWorkGroupConfiguration).toBe(true);
    const result = configuration.ResultConfiguration as Json;
    expect(result.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_S3' });
    expect(renderJoin(result.OutputLocation)).toBe(`s3://<${logicalId(main.stack, main.stack.analytics.resultsBucket)}>/results/`);
  });

  it('saves the five usage queries against the Glue table', () => {
    const databaseName = main.stack.analytics.databaseName;
    const queries = ofType(main.resources, 'AWS::Athena::NamedQuery').map(([, query]) => query.Properties);
    expect(queries.map((query) => query.Name).sort()).toEqual(USAGE_QUERIES.map((query) => query.name).sort());
    expect(queries).toHaveLength(5);
    for (const query of queries) {
      expect(query.Database).toBe(databaseName);
      expect(query.QueryString).not.toContain('{{');
      expect(query.QueryString).toContain(`"${databaseName}"."usage_records"`);
    }
    const databases = ofType(main.resources, 'AWS::Glue::Database').map(([, database]) => database.Properties.DatabaseInput as Json);
    expect(databases).toEqual([expect.objectContaining({ Name: databaseName })]);
  });
});

describe('monitoring', () => {
  it('alarms on gateway errors and throttles and on usage delivery', () => {
    const gatewayId = logicalId(main.stack, main.stack.gateway.function);
    const alarms = ofType(main.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const gatewayMetrics = alarms.filter((alarm) => mentions(alarm.Dimensions, gatewayId)).map((alarm) => alarm.MetricName);
    expect(gatewayMetrics.sort()).toEqual(['Errors', 'Throttles']);
    expect(alarms.map((alarm) => alarm.MetricName)).toEqual(expect.arrayContaining(['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success']));
  });

  it('has a dashboard with invocations, duration percentiles, errors, throttles and concurrency', () => {
    const dashboards = ofType(main.resources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = renderJoin(dashboards[0]?.[1].Properties.DashboardBody);
    for (const expected of ['"Invocations"', '"Duration"', '"p50"', '"p99"', '"Errors"', '"Throttles"', '"ConcurrentExecutions"']) {
      expect(body).toContain(expected);
    }
  });
});

describe('outputs', () => {
  it('name the URL, base URL, secret, table, bucket and workgroup', () => {
    const outputs = main.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(['BaseUrl', 'FunctionUrl', 'ProviderSecretName', 'TableName', 'UsageBucket', 'Workgroup']);
    const urlId = logicalId(main.stack, main.stack.gateway.functionUrl);
    expect(outputs.FunctionUrl?.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    expect(renderJoin(outputs.BaseUrl?.Value)).toBe(`<${urlId}.FunctionUrl>api/v1`);
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(main.stack, main.stack.state.table) });
    expect(outputs.UsageBucket?.Value).toEqual({ Ref: logicalId(main.stack, main.stack.usage.bucket) });
    expect(outputs.Workgroup?.Value).toBe(main.stack.analytics.workGroupName);
  });
});

describe('options', () => {
  it('imports an existing provider secret, turns CORS off and withholds Bedrock', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:switchyard-providers-AbCdEf';
    const imported = synth({ providerSecretArn: arn, cors: false, bedrockAccess: false });

    expect(ofType(imported.resources, 'AWS::SecretsManager::Secret')).toEqual([]);
    const gateway = imported.resources[logicalId(imported.stack, imported.stack.gateway.function)]?.Properties ?? {};
    expect((gateway.Environment as { Variables: Json }).Variables[FUNCTION_ENVIRONMENT.providerSecretId]).toBe(arn);
    const roleId = logicalId(imported.stack, imported.stack.gateway.function.role as IConstruct);
    expect(statementsOfRole(imported.resources, roleId)).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['secretsmanager:GetSecretValue']) as unknown, Resource: arn }),
    );
    expect(ofType(imported.resources, 'AWS::Lambda::Url')[0]?.[1].Properties.Cors).toBeUndefined();
    const allActions = ofType(imported.resources, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((statement) => asArray(statement.Action)),
    );
    expect(allActions.filter((action) => action.startsWith('bedrock:'))).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(imported.app).violations).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing that is not acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(main.app);
    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('gives a written reason for every acknowledgement', () => {
    const acknowledgements: Array<{ path: string; id: string; reason: unknown }> = [];
    const visit = (construct: IConstruct): void => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) acknowledgements.push({ path: construct.node.path, id, reason });
      }
      construct.node.children.forEach(visit);
    };
    visit(main.app);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(typeof acknowledgement.reason, acknowledgement.id).toBe('string');
      expect(String(acknowledgement.reason).trim().split(/\s+/).length, `${acknowledgement.id} at ${acknowledgement.path}`).toBeGreaterThanOrEqual(8);
    }
  });

  it('would catch a violation (the check above can fail)', () => {
    const app = new App({ context: cdkContext });
    const stack = new Stack(app, 'Careless');
    new s3.Bucket(stack, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });

    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((violation) => violation.ruleName);

    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

/** A CloudFormation string expression as text: Ref → `<Id>`, GetAtt → `<Id.Attr>`. */
function renderJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderJoin).join(delimiter);
  }
  if ('Ref' in node) return `<${String(node.Ref)}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** `usage/dt=X/hour=Y/` → [{key:'usage'}, {key:'dt', placeholder}, …], where the value must match `placeholderForm`. */
function pathSegments(text: string, placeholderForm: RegExp): Array<{ key: string; placeholder?: string }> {
  expect(text.endsWith('/')).toBe(true);
  return text
    .slice(0, -1)
    .split('/')
    .map((segment) => {
      const equals = segment.indexOf('=');
      if (equals < 0) return { key: segment };
      const match = placeholderForm.exec(segment.slice(equals + 1));
      expect(match, segment).not.toBeNull();
      return { key: segment.slice(0, equals), placeholder: match?.[1] };
    });
}

function parseArrayOfStruct(type: string): Array<{ name: string; type: string }> {
  const match = /^array<struct<(.+)>>$/.exec(type);
  expect(match, type).not.toBeNull();
  return (match?.[1] ?? '').split(',').map((field) => {
    const [name = '', fieldType = ''] = field.split(':');
    return { name, type: fieldType };
  });
}

function expectTypeFits(hiveType: string, value: unknown): void {
  const expected: Record<string, string> = { string: 'string', int: 'number', bigint: 'number', double: 'number', boolean: 'boolean' };
  if (hiveType.startsWith('array<')) {
    expect(Array.isArray(value)).toBe(true);
    return;
  }
  expect(expected[hiveType], `unknown Hive type ${hiveType}`).toBeDefined();
  expect(typeof value, hiveType).toBe(expected[hiveType]);
  if (hiveType === 'int' || hiveType === 'bigint') expect(Number.isInteger(value)).toBe(true);
}
