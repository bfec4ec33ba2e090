// The stack's resources, synthesised offline (no AWS account), asserted on
// the properties that matter: never a snapshot, never a literal logical id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TABLE_ATTRIBUTES } from '../../infra/constructs/state-table.ts';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-environment.ts';
import { LISTING_INDEX, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/store/table.ts';
import { asArray, logicalId, mentions, ofType, renderJoin, standInBundle, statementsOfRole, synth, type Json, type Statement, type Synthesized } from './synth-support.ts';

let bundle: ReturnType<typeof standInBundle>;
let main: Synthesized;

beforeAll(() => {
  bundle = standInBundle();
  main = synth(bundle.path);
});

afterAll(() => bundle.remove());

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
    expect(gateway).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 512, Timeout: 900 });
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
    for (const role of [main.stack.gateway.function.role, main.stack.healthProbe.function.role, main.stack.reclaimSweep.function.role]) {
      const properties = main.resources[logicalId(main.stack, role as IConstruct)]?.Properties ?? {};
      expect(properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('health probe', () => {
  it('runs every minute on EventBridge Scheduler', () => {
    const probeId = logicalId(main.stack, main.stack.healthProbe.function);
    const schedules = ofType(main.resources, 'AWS::Scheduler::Schedule')
      .map(([, schedule]) => schedule.Properties)
      .filter((schedule) => mentions((schedule.Target as Json).Arn, probeId));
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

describe('reclaim sweep', () => {
  const sweepRoleStatements = () => statementsOfRole(main.resources, logicalId(main.stack, main.stack.reclaimSweep.function.role as IConstruct));

  it('runs Node.js 24 on arm64 every five minutes on EventBridge Scheduler, with a one-minute timeout', () => {
    const sweepId = logicalId(main.stack, main.stack.reclaimSweep.function);
    const schedules = ofType(main.resources, 'AWS::Scheduler::Schedule')
      .map(([, schedule]) => schedule.Properties)
      .filter((schedule) => mentions((schedule.Target as Json).Arn, sweepId));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
    expect((schedules[0]?.Target as Json).Arn).toEqual({ 'Fn::GetAtt': [sweepId, 'Arn'] });
    expect(main.resources[sweepId]?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 60 });
  });

  it('is told the table, and nothing else', () => {
    const sweep = main.resources[logicalId(main.stack, main.stack.reclaimSweep.function)]?.Properties ?? {};
    expect((sweep.Environment as { Variables: Json }).Variables).toEqual({
      [FUNCTION_ENVIRONMENT.mode]: 'aws',
      [FUNCTION_ENVIRONMENT.tableName]: { Ref: logicalId(main.stack, main.stack.state.table) },
    });
  });

  it('may get and update account and key items only, and query the listing index to find them (no Scan)', () => {
    const tableId = logicalId(main.stack, main.stack.state.table);
    const onTable = sweepRoleStatements().filter((statement) => mentions(statement.Resource, tableId));
    const itemStatements = onTable.filter((statement) => !asArray(statement.Action).includes('dynamodb:Query'));
    expect(itemStatements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCOUNT#*', 'KEY#*'] } },
      }),
    ]);
    // The index holds only the keys of account and key items; the table itself cannot be queried or scanned.
    const queries = onTable.filter((statement) => asArray(statement.Action).includes('dynamodb:Query'));
    expect(queries).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/listing']] },
      }),
    ]);
  });

  it('has no permission on health or generation items, the secret, the usage bucket or stream', () => {
    const statements = sweepRoleStatements();
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect([...new Set(actions.map((action) => action.split(':')[0]))].sort()).toEqual(['dynamodb', 'logs']);
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const granted = JSON.stringify(statements);
    expect(granted).not.toMatch(/HEALTH#|GEN#/);
    for (const resource of [main.stack.providerSecret.secret, main.stack.usage.bucket, main.stack.usage.deliveryStream]) {
      expect(statements.filter((statement) => mentions(statement.Resource, logicalId(main.stack, resource as unknown as IConstruct)))).toEqual([]);
    }
  });

  it('raises an alarm when its runs fail', () => {
    const sweepId = logicalId(main.stack, main.stack.reclaimSweep.function);
    const alarms = ofType(main.resources, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter((alarm) => mentions(alarm.Dimensions, sweepId));
    expect(alarms).toEqual([expect.objectContaining({ MetricName: 'Errors', Namespace: 'AWS/Lambda' })]);
  });
});

describe('state table', () => {
  it('uses the key, TTL and index attribute names of lib/store/table.ts', () => {
    expect(TABLE_ATTRIBUTES).toEqual({ partitionKey: PARTITION_KEY, sortKey: SORT_KEY, timeToLive: TTL_ATTRIBUTE, listingIndex: LISTING_INDEX });
    const table = main.resources[logicalId(main.stack, main.stack.state.table)];
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ]);
    expect(table?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it('has one index, the sparse keys-only listing of accounts and keys', () => {
    const table = main.resources[logicalId(main.stack, main.stack.state.table)];
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: LISTING_INDEX.name,
        KeySchema: [
          { AttributeName: LISTING_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: LISTING_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        // Keys only: a write that changes a balance or a key's spend never writes the index.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect(table?.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: LISTING_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: LISTING_INDEX.sortKey, AttributeType: 'S' },
      ]),
    );
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

describe('monitoring', () => {
  it('alarms on gateway errors and throttles and on usage delivery', () => {
    const gatewayId = logicalId(main.stack, main.stack.gateway.function);
    const alarms = ofType(main.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const gatewayMetrics = alarms.filter((alarm) => mentions(alarm.Dimensions, gatewayId)).map((alarm) => alarm.MetricName);
    expect(gatewayMetrics.sort()).toEqual(['Duration', 'Errors', 'Throttles']);
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
  it('name the URL, base URL, secret, table, bucket, workgroup and database', () => {
    const outputs = main.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(['BaseUrl', 'FunctionUrl', 'ProviderSecretName', 'TableName', 'UsageBucket', 'UsageDatabase', 'Workgroup']);
    const urlId = logicalId(main.stack, main.stack.gateway.functionUrl);
    expect(outputs.FunctionUrl?.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    expect(renderJoin(outputs.BaseUrl?.Value)).toBe(`<${urlId}.FunctionUrl>api/v1`);
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(main.stack, main.stack.state.table) });
    expect(outputs.UsageBucket?.Value).toEqual({ Ref: logicalId(main.stack, main.stack.usage.bucket) });
    expect(outputs.Workgroup?.Value).toBe(main.stack.analytics.workGroupName);
    expect(outputs.UsageDatabase?.Value).toBe(main.stack.analytics.databaseName);
  });
});

describe('options', () => {
  it('imports an existing provider secret, turns CORS off and withholds Bedrock', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:switchyard-providers-AbCdEf';
    const imported = synth(bundle.path, { providerSecretArn: arn, cors: false, bedrockAccess: false });

    expect(ofType(imported.resources, 'AWS::SecretsManager::Secret')).toEqual([]);
    const gateway = imported.resources[logicalId(imported.stack, imported.stack.gateway.function)]?.Properties ?? {};
    expect((gateway.Environment as { Variables: Json }).Variables[FUNCTION_ENVIRONMENT.providerSecretId]).toBe(arn);
    const roleId = logicalId(imported.stack, imported.stack.gateway.function.role as IConstruct);
    expect(statementsOfRole(imported.resources, roleId)).toContainEqual(
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: arn }),
    );
    expect(ofType(imported.resources, 'AWS::Lambda::Url')[0]?.[1].Properties.Cors).toBeUndefined();
    const allActions = ofType(imported.resources, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((statement) => asArray(statement.Action)),
    );
    expect(allActions.filter((action) => action.startsWith('bedrock:'))).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(imported.app).violations).toEqual([]);
  });
});
