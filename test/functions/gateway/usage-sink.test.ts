// The gateway's usage sink loads the Firehose client on its first record,
// then delivers through it like the Firehose sink: here against a loopback
// stand-in for Firehose reached through AWS_ENDPOINT_URL_FIREHOSE.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../../lib/usage/record.ts';
import { usageRecord as record } from '../../support/usage-record.ts';
import { lazyFirehoseSink } from '../../../functions/gateway/usage-sink.ts';

interface PutRecordBatchBody {
  DeliveryStreamName: string;
  Records: Array<{ Data: string }>;
}

let server: Server;
const batches: PutRecordBatchBody[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PutRecordBatchBody;
      batches.push(body);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedPutCount: 0, Encrypted: false, RequestResponses: body.Records.map((_, index) => ({ RecordId: `r-${index}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_FIREHOSE: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
});

afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});


const ids = (lines: string[] | undefined): string[] => (lines ?? []).map((line) => (JSON.parse(line) as UsageRecord).id);

describe('the gateway usage sink, loaded on first use', () => {
  it('flushes nothing, and loads nothing, before its first record', async () => {
    const sink = lazyFirehoseSink({ streamName: 'switchyard-usage', log: () => {} });

    await sink.flush();

    expect(batches).toEqual([]);
  });

  it('buffers records and delivers them to the named stream on flush, one JSON line each', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const sink = lazyFirehoseSink({ streamName: 'switchyard-usage', log: (entry) => logs.push(entry) });

    await sink.write(record('gen-1'));
    await sink.write(record('gen-2'));
    expect(batches).toEqual([]);
    await sink.flush();

    expect(batches).toHaveLength(1);
    expect(batches[0]?.DeliveryStreamName).toBe('switchyard-usage');
    const lines = batches[0]?.Records.map((entry) => Buffer.from(entry.Data, 'base64').toString('utf8'));
    expect(lines?.every((line) => line.endsWith('}\n'))).toBe(true);
    expect(ids(lines)).toEqual(['gen-1', 'gen-2']);
    expect(logs).toEqual([]);
  });
});
