// The usage pipeline's template: Firehose converts records to Parquet with
// the Glue table's schema and writes where the table reads, and the table's
// columns are the fields of UsageRecord.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE_QUERIES } from '../../infra/queries.ts';
import type { UsageAttempt, UsageRecord } from '../../lib/usage/record.ts';
import { logicalId, ofType, renderJoin, standInBundle, synth, type Json, type Synthesized } from './synth-support.ts';

let bundle: ReturnType<typeof standInBundle>;
let main: Synthesized;

beforeAll(() => {
  bundle = standInBundle();
  main = synth(bundle.path);
});

afterAll(() => bundle.remove());

describe('usage pipeline', () => {
  const firehoseDestination = () => {
    const streams = ofType(main.resources, 'AWS::KinesisFirehose::DeliveryStream');
    expect(streams).toHaveLength(1);
    return streams[0]?.[1].Properties ?? {};
  };
  const glueTables = () => ofType(main.resources, 'AWS::Glue::Table');
  const glueTableNamed = (name: string) => {
    const tables = glueTables().filter(([, table]) => (table.Properties.TableInput as Json).Name === name);
    expect(tables).toHaveLength(1);
    return { id: tables[0]?.[0] ?? '', input: (tables[0]?.[1].Properties.TableInput ?? {}) as Json };
  };
  const glueTable = () => glueTableNamed('usage_records').input;

  it('delivers direct puts, encrypted, every 60 s or 64 MiB (the least record-format conversion allows) into the usage bucket', () => {
    const stream = firehoseDestination();
    expect(stream.DeliveryStreamType).toBe('DirectPut');
    expect(stream.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const destination = stream.ExtendedS3DestinationConfiguration as Json;
    expect(destination).toMatchObject({ BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 } });
    // Parquet compresses its own column chunks: no gzip around the objects.
    expect(destination.CompressionFormat ?? 'UNCOMPRESSED').toBe('UNCOMPRESSED');
    expect(destination.BucketARN).toEqual({ 'Fn::GetAtt': [logicalId(main.stack, main.stack.usage.bucket), 'Arn'] });
    expect(destination.ErrorOutputPrefix).toEqual(expect.stringContaining('!{firehose:error-output-type}'));
    expect(String(destination.ErrorOutputPrefix).startsWith(`${String(destination.Prefix).split('/')[0]}/`)).toBe(false);
  });

  it("converts every record to Snappy Parquet with the Glue table's schema: OpenX JSON in, Parquet out", () => {
    const stack = main.stack;
    const conversion = (firehoseDestination().ExtendedS3DestinationConfiguration as Json).DataFormatConversionConfiguration as Json;
    expect(conversion).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: expect.anything() as unknown } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: expect.objectContaining({ Compression: 'SNAPPY' }) as unknown } },
    });
    const schema = conversion.SchemaConfiguration as Json;
    expect(schema.DatabaseName).toBe(stack.analytics.databaseName);
    // A reference to the Glue table itself: the stream is created after it, and follows it.
    expect(schema.TableName).toEqual({ Ref: glueTableNamed('usage_records').id });
    expect(schema.VersionId).toBe('LATEST');
    // Firehose's role, and the permission to read that one table.
    const roleId = logicalId(stack, stack.usage.node.findChild('DeliveryRole'));
    expect(schema.RoleARN).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const glueStatements = ofType(main.resources, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('glue:'));
    expect(glueStatements).toHaveLength(1);
    expect(glueStatements[0]?.Action).toEqual(['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']);
    const resources = (glueStatements[0]?.Resource as unknown[]).map(renderJoin);
    expect(resources.map((resource) => resource.replace(/^.*:glue:<AWS::Region>:<AWS::AccountId>:/, ''))).toEqual([
      'catalog',
      `database/${stack.analytics.databaseName}`,
      `table/${stack.analytics.databaseName}/usage_records`,
    ]);
  });

  it('declares the table as Parquet, and keeps the JSON from before Parquet readable as a table of its own', () => {
    const table = glueTable();
    const descriptor = table.StorageDescriptor as Json;
    expect(descriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    });
    expect(table.Parameters).toMatchObject({ classification: 'parquet', 'parquet.compression': 'SNAPPY', 'projection.enabled': 'true' });

    const history = glueTableNamed('usage_records_json').input;
    const historyDescriptor = history.StorageDescriptor as Json;
    expect(historyDescriptor.SerdeInfo).toEqual({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' });
    expect(historyDescriptor.Columns).toEqual(descriptor.Columns);
    expect(renderJoin(historyDescriptor.Location)).toMatch(/\/usage\/$/);
    expect(renderJoin((history.Parameters as Json)['storage.location.template'])).toMatch(/\/usage\/dt=\$\{dt\}\/hour=\$\{hour\}\/$/);
    // Nothing writes there any more: Firehose delivers under another prefix.
    const prefix = String((firehoseDestination().ExtendedS3DestinationConfiguration as Json).Prefix);
    expect(prefix.startsWith('usage/')).toBe(false);
    expect(glueTables()).toHaveLength(2);
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
      error_message: 'm',
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
    expect(descriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
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
