// The usage pipeline's template: Firehose writes where the Glue table reads,
// and the table's columns are the fields of UsageRecord.
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
