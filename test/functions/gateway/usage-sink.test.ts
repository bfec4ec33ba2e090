// The gateway's usage sink loads the Firehose client on its first record,
// then delivers through it like the Firehose sink: here against a loopback
// stand-in for Firehose reached through AWS_ENDPOINT_URL_FIREHOSE.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../../lib/usage/record.ts';
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

function record(id: string): UsageRecord {
  return {
    id,
    created_at: '2026-03-01T12:00:00.000Z',
    key_hash_prefix: 'a1b2c3d4',
    account_id: 'acct-1',
    model_requested: 'openai/gpt-4o-mini',
    model: 'openai/gpt-4o-mini',
    provider: 'OpenAI',
    endpoint: 'openai/gpt-4o-mini@openai',
    streamed: true,
    status: 200,
    error_code: null,
    finish_reason: 'stop',
    native_finish_reason: 'stop',
    prompt_tokens: 12,
    completion_tokens: 34,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 27,
    ttfb_ms: 180,
    latency_ms: 950,
    attempts: [{ endpoint: 'openai/gpt-4o-mini@openai', provider: 'OpenAI', model: 'openai/gpt-4o-mini', status: 200, error_code: null, latency_ms: 950 }],
    fallback: false,
    cancelled: false,
    session_id: null,
    user: null,
  };
}

const ids = (lines: string[] | undefined): string[] => (lines ?? []).map((line) => (JSON.parse(line) as UsageRecord).id);

describe('the gateway usage sink, loaded on first use', () => {
  it('flushes nothing, and loads nothing, before its first record', async () => {
    const sink = lazyFirehoseSink({ streamName: 'switchyard-usage', log: () => {} });

    await sink.flush();

    expect(batches).toEqual([]);
  });

  it('buffers records and delivers them to the named stream on flush, one JSON line each', async () => {
    const logs: string[] = [];
    const sink = lazyFirehoseSink({ streamName: 'switchyard-usage', log: (line) => logs.push(line) });

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
