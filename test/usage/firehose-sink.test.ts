import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FirehoseClient, type PutRecordBatchCommand, type PutRecordBatchResponseEntry } from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createFirehoseSink, FIREHOSE_LIMITS, UNDELIVERED_MESSAGE, type FirehoseBatchClient } from '../../lib/usage/firehose-sink.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import { usageRecord } from '../support/usage-record.ts';


const decoder = new TextDecoder();

type Answer = { FailedPutCount: number; RequestResponses: PutRecordBatchResponseEntry[] } | Error;

/** A fake FirehoseClient: records each call's lines and answers from a script (then success). */
function scriptedClient(script: Array<(lines: string[]) => Answer> = []) {
  const calls: Array<{ streamName: string | undefined; lines: string[] }> = [];
  const client: FirehoseBatchClient = {
    async send(command: PutRecordBatchCommand) {
      const records = command.input.Records ?? [];
      const lines = records.map((record) => decoder.decode(record.Data));
      calls.push({ streamName: command.input.DeliveryStreamName, lines });
      const answer = script[calls.length - 1]?.(lines) ?? succeed(lines);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { client, calls };
}

const succeed = (lines: string[]): Answer => ({ FailedPutCount: 0, RequestResponses: lines.map((_, index) => ({ RecordId: `r${index}` })) });

/** Fail the entries whose index is in `failedIndexes`. */
const failAt =
  (...failedIndexes: number[]) =>
  (lines: string[]): Answer => ({
    FailedPutCount: failedIndexes.length,
    RequestResponses: lines.map((_, index) =>
      failedIndexes.includes(index) ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: `r${index}` },
    ),
  });

const failAll = (lines: string[]): Answer => failAt(...lines.map((_, index) => index))(lines);

function throttled(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'ServiceUnavailableException';
  return error;
}

const idsOf = (lines: string[]): string[] => lines.map((line) => (JSON.parse(line) as { id: string }).id);

function harness(script: Array<(lines: string[]) => Answer> = [], maxRetries = 3) {
  const { client, calls } = scriptedClient(script);
  const logs: Array<Record<string, unknown>> = [];
  const sleeps: number[] = [];
  const sink = createFirehoseSink({
    client,
    streamName: 'switchyard-usage',
    maxRetries,
    backoffMs: (attempt) => attempt * 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (entry) => logs.push(entry),
  });
  const loggedIds = () => logs.map((entry) => (entry.record as UsageRecord).id);
  return { sink, calls, logs, sleeps, loggedIds };
}

describe('createFirehoseSink', () => {
  it('buffers writes and sends them as newline-terminated JSON lines on flush', async () => {
    const { sink, calls } = harness();
    const first = usageRecord('gen-1');
    const second = usageRecord('gen-2', { status: 502, error_code: 'upstream_error', model: null, provider: null });

    await sink.write(first);
    await sink.write(second);
    expect(calls).toHaveLength(0);
    await sink.flush();

    expect(calls).toHaveLength(1);
    expect(calls[0]?.streamName).toBe('switchyard-usage');
    expect(calls[0]?.lines).toEqual([`${JSON.stringify(first)}\n`, `${JSON.stringify(second)}\n`]);
    expect(calls[0]?.lines.map((line) => JSON.parse(line) as unknown)).toEqual([first, second]);
  });

  it('sends nothing when there is nothing buffered', async () => {
    const { sink, calls } = harness();
    await sink.flush();
    expect(calls).toHaveLength(0);
  });

  it('re-sends only the entries a partial failure reports, after a backoff', async () => {
    const { sink, calls, logs, sleeps } = harness([failAt(1, 3)]);
    for (const id of ['gen-0', 'gen-1', 'gen-2', 'gen-3', 'gen-4']) await sink.write(usageRecord(id));

    await sink.flush();

    expect(calls.map((call) => idsOf(call.lines))).toEqual([['gen-0', 'gen-1', 'gen-2', 'gen-3', 'gen-4'], ['gen-1', 'gen-3']]);
    expect(sleeps).toEqual([10]);
    expect(logs).toEqual([]);
  });

  it('narrows the retry set again when a retry partially fails', async () => {
    const { sink, calls, logs } = harness([failAt(0, 2, 3), failAt(1)]);
    for (const id of ['gen-0', 'gen-1', 'gen-2', 'gen-3']) await sink.write(usageRecord(id));

    await sink.flush();

    expect(calls.map((call) => idsOf(call.lines))).toEqual([['gen-0', 'gen-1', 'gen-2', 'gen-3'], ['gen-0', 'gen-2', 'gen-3'], ['gen-2']]);
    expect(logs).toEqual([]);
  });

  it('logs each record as one structured line when every attempt fails', async () => {
    const { sink, calls, logs, sleeps } = harness([failAll, failAll, failAll, failAll], 3);
    const records = [usageRecord('gen-a'), usageRecord('gen-b', { user: 'user-7', session_id: 'sess-1' })];
    for (const record of records) await sink.write(record);

    await sink.flush();

    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([10, 20, 30]);
    expect(logs).toEqual(
      records.map((record) => ({ level: 'error', message: UNDELIVERED_MESSAGE, record, reason: 'ServiceUnavailableException' })),
    );
  });

  it('retries the whole batch after a thrown error', async () => {
    const { sink, calls, logs } = harness([() => throttled()]);
    await sink.write(usageRecord('gen-1'));
    await sink.write(usageRecord('gen-2'));

    await sink.flush();

    expect(calls.map((call) => idsOf(call.lines))).toEqual([['gen-1', 'gen-2'], ['gen-1', 'gen-2']]);
    expect(logs).toEqual([]);
  });

  it('logs the records, naming the error, when every attempt throws', async () => {
    const { sink, calls, loggedIds, logs } = harness([() => throttled(), () => throttled(), () => throttled()], 2);
    await sink.write(usageRecord('gen-1'));

    await sink.flush();

    expect(calls).toHaveLength(3);
    expect(loggedIds()).toEqual(['gen-1']);
    expect(logs[0]?.reason).toBe('ServiceUnavailableException');
  });

  it('re-sends the whole batch when FailedPutCount is set but the per-record answers are missing', async () => {
    const { sink, calls, logs } = harness([() => ({ FailedPutCount: 1, RequestResponses: [] })]);
    await sink.write(usageRecord('gen-1'));
    await sink.write(usageRecord('gen-2'));

    await sink.flush();

    expect(calls.map((call) => idsOf(call.lines))).toEqual([['gen-1', 'gen-2'], ['gen-1', 'gen-2']]);
    expect(logs).toEqual([]);
  });

  it('splits a flush into batches of at most 500 records', async () => {
    const { sink, calls } = harness();
    const count = 2 * FIREHOSE_LIMITS.recordsPerBatch + 1;
    const records = Array.from({ length: count }, (_, index) => usageRecord(`gen-${index}`));
    for (const record of records) await sink.write(record);
    await sink.flush();

    expect(calls.map((call) => call.lines.length)).toEqual([500, 500, 1]);
    expect(calls.flatMap((call) => idsOf(call.lines))).toEqual(records.map((record) => record.id));
  });

  it('sends a full batch without waiting for flush once another record would not fit', async () => {
    const { sink, calls } = harness();
    for (let index = 0; index < FIREHOSE_LIMITS.recordsPerBatch; index += 1) await sink.write(usageRecord(`gen-${index}`));
    expect(calls).toHaveLength(0);

    await sink.write(usageRecord('gen-500'));

    expect(calls).toHaveLength(1);
    expect(calls[0]?.lines).toHaveLength(500);
  });

  it('splits concurrent writes into valid batches', async () => {
    const { sink, calls } = harness();
    const records = Array.from({ length: 1_200 }, (_, index) => usageRecord(`gen-${index}`));

    await Promise.all(records.map((record) => sink.write(record)));
    await sink.flush();

    for (const call of calls) expect(call.lines.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.recordsPerBatch);
    expect(calls.flatMap((call) => idsOf(call.lines)).sort()).toEqual(records.map((record) => record.id).sort());
  });

  it('keeps every batch within 4 MiB', async () => {
    const { sink, calls } = harness();
    const bulky = (id: string) => usageRecord(id, { user: 'u'.repeat(900 * 1024) });
    for (const id of ['gen-0', 'gen-1', 'gen-2', 'gen-3', 'gen-4', 'gen-5']) await sink.write(bulky(id));
    await sink.flush();

    const batchBytes = calls.map((call) => call.lines.reduce((total, line) => total + new TextEncoder().encode(line).byteLength, 0));
    expect(calls.map((call) => call.lines.length)).toEqual([4, 2]);
    for (const bytes of batchBytes) expect(bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.bytesPerBatch);
  });

  it('logs a record larger than Firehose accepts instead of sending it', async () => {
    const { sink, calls, loggedIds, logs } = harness();
    await sink.write(usageRecord('gen-huge', { user: 'u'.repeat(FIREHOSE_LIMITS.bytesPerRecord) }));
    await sink.write(usageRecord('gen-ok'));
    await sink.flush();

    expect(calls.map((call) => idsOf(call.lines))).toEqual([['gen-ok']]);
    expect(loggedIds()).toEqual(['gen-huge']);
    expect(logs[0]?.reason).toBe('RecordTooLarge');
  });

  it('never loses a record, whatever the upstream answers', async () => {
    type Outcome = { kind: 'throw' } | { kind: 'answer'; failed: boolean[] };
    const outcome = fc.oneof(
      fc.constant<Outcome>({ kind: 'throw' }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }).map<Outcome>((failed) => ({ kind: 'answer', failed })),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.array(outcome, { maxLength: 8 }), fc.integer({ min: 0, max: 4 }), async (count, outcomes, maxRetries) => {
        const delivered = new Set<string>();
        const script = outcomes.map((next) => (lines: string[]): Answer => {
          if (next.kind === 'throw') return throttled();
          const failedIndexes = lines.map((_, index) => index).filter((index) => next.failed[index % next.failed.length]);
          return failAt(...failedIndexes)(lines);
        });
        const { client } = scriptedClient(script);
        const recordingClient: FirehoseBatchClient = {
          async send(command) {
            const answer = await client.send(command);
            const lines = (command.input.Records ?? []).map((record) => decoder.decode(record.Data));
            idsOf(lines).forEach((id, index) => {
              if (answer.RequestResponses?.[index]?.ErrorCode == null) delivered.add(id);
            });
            return answer;
          },
        };
        const logged: string[] = [];
        const sink = createFirehoseSink({
          client: recordingClient,
          streamName: 'switchyard-usage',
          maxRetries,
          backoffMs: () => 0,
          sleep: async () => {},
          log: (entry) => logged.push((entry.record as UsageRecord).id),
        });
        const ids = Array.from({ length: count }, (_, index) => `gen-${index}`);
        for (const id of ids) await sink.write(usageRecord(id));
        await sink.flush();

        for (const id of ids) expect(delivered.has(id) || logged.includes(id)).toBe(true);
        for (const id of logged) expect(delivered.has(id)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('createFirehoseSink with the real FirehoseClient', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  interface ReceivedCall {
    target: string | undefined;
    contentType: string | undefined;
    streamName: unknown;
    lines: string[];
  }

  /** A loopback Firehose speaking AWS JSON 1.1: each request gets the next scripted reply. */
  async function startFirehose(replies: Array<(lines: string[]) => { status: number; body: unknown }>) {
    const received: ReceivedCall[] = [];
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { DeliveryStreamName?: unknown; Records?: Array<{ Data: string }> };
        const lines = (body.Records ?? []).map((record) => Buffer.from(record.Data, 'base64').toString('utf8'));
        received.push({
          target: request.headers['x-amz-target'] as string | undefined,
          contentType: request.headers['content-type'],
          streamName: body.DeliveryStreamName,
          lines,
        });
        const reply = replies[received.length - 1]?.(lines) ?? { status: 200, body: succeed(lines) };
        response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const client = new FirehoseClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      // The sink owns retries here; the SDK's own would hide what is being tested.
      maxAttempts: 1,
    });
    return { client, received };
  }

  it('re-sends only the rejected records through the wire protocol', async () => {
    const { client, received } = await startFirehose([(lines) => ({ status: 200, body: failAt(1)(lines) })]);
    const logs: Array<Record<string, unknown>> = [];
    const sink = createFirehoseSink({ client, streamName: 'switchyard-usage', sleep: async () => {}, log: (entry) => logs.push(entry) });
    for (const id of ['gen-0', 'gen-1', 'gen-2']) await sink.write(usageRecord(id));

    await sink.flush();
    client.destroy();

    expect(received.map((call) => call.target)).toEqual(['Firehose_20150804.PutRecordBatch', 'Firehose_20150804.PutRecordBatch']);
    expect(received[0]?.contentType).toBe('application/x-amz-json-1.1');
    expect(received[0]?.streamName).toBe('switchyard-usage');
    expect(received.map((call) => idsOf(call.lines))).toEqual([['gen-0', 'gen-1', 'gen-2'], ['gen-1']]);
    expect(received[0]?.lines.every((line) => line.endsWith('\n'))).toBe(true);
    expect(logs).toEqual([]);
  });

  it('retries a record refused on every attempt alone, with backoff, then logs it and counts it as undelivered', async () => {
    const refuseGen1 = (lines: string[]) => ({ status: 200, body: failAt(...idsOf(lines).flatMap((id, index) => (id === 'gen-1' ? [index] : [])))(lines) });
    const { client, received } = await startFirehose([refuseGen1, refuseGen1, refuseGen1, refuseGen1]);
    const logs: Array<Record<string, unknown>> = [];
    const undelivered: string[] = [];
    const sleeps: number[] = [];
    const sink = createFirehoseSink({
      client,
      streamName: 'switchyard-usage',
      backoffMs: (attempt) => 100 * 2 ** (attempt - 1),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      log: (entry) => logs.push(entry),
      onUndelivered: (reason) => undelivered.push(reason),
    });
    for (const id of ['gen-0', 'gen-1', 'gen-2']) await sink.write(usageRecord(id));

    await sink.flush();
    client.destroy();

    expect(received.map((call) => idsOf(call.lines))).toEqual([['gen-0', 'gen-1', 'gen-2'], ['gen-1'], ['gen-1'], ['gen-1']]);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(logs.map((entry) => (entry.record as UsageRecord).id)).toEqual(['gen-1']);
    expect(logs[0]).toMatchObject({ level: 'error', message: UNDELIVERED_MESSAGE });
    expect(undelivered).toHaveLength(1);
  });

  it('retries after a service error and logs what never got through', async () => {
    const unavailable = () => ({ status: 500, body: { __type: 'ServiceUnavailableException', message: 'Slow down.' } });
    const { client, received } = await startFirehose([unavailable, unavailable, unavailable]);
    const logs: Array<Record<string, unknown>> = [];
    const sink = createFirehoseSink({ client, streamName: 'switchyard-usage', maxRetries: 2, sleep: async () => {}, log: (entry) => logs.push(entry) });
    await sink.write(usageRecord('gen-9'));

    await sink.flush();
    client.destroy();

    expect(received).toHaveLength(3);
    expect(logs).toEqual([
      { level: 'error', message: UNDELIVERED_MESSAGE, record: usageRecord('gen-9'), reason: 'ServiceUnavailableException' },
    ]);
  });
});
