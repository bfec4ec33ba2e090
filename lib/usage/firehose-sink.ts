// Usage records to Amazon Data Firehose, which writes them to S3 for Athena
// (DESIGN decision 12). One JSON object per line, newline-terminated, so the
// objects Firehose concatenates stay valid JSON Lines for the Glue table.
//
// PutRecordBatch can answer HTTP 200 and still reject some records
// (`FailedPutCount > 0`, per-record `ErrorCode` at the request's index), so only
// those are re-sent; a thrown error re-sends the whole batch. When retries run
// out, each undelivered record becomes one structured log entry that a
// reconciler can replay, and is counted (`onUndelivered`, a metric on AWS
// that raises an alarm): a record is never dropped silently. Delivery is
// at-least-once; queries dedupe on `id`. (reliability.md §1.6)
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { UsageRecord, UsageSink } from './record.ts';

/** PutRecordBatch limits; AWS documents them as fixed. */
export const FIREHOSE_LIMITS = {
  recordsPerBatch: 500,
  bytesPerBatch: 4 * 1024 * 1024,
  bytesPerRecord: 1000 * 1024,
} as const;

export const DEFAULT_FIREHOSE_RETRY = {
  /** Retries after the first attempt, shared by partial failures and thrown errors. */
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
} as const;

/** The part of `FirehoseClient` the sink uses. */
export interface FirehoseBatchClient {
  send(command: PutRecordBatchCommand): Promise<Pick<PutRecordBatchCommandOutput, 'FailedPutCount' | 'RequestResponses'>>;
}

export interface FirehoseSinkOptions {
  client: FirehoseBatchClient;
  streamName: string;
  maxRetries?: number;
  /** Delay before retry number `attempt` (1-based). Default: full jitter, capped exponential. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  /** Receives one structured entry per undelivered record, the record itself included. */
  log: (entry: Record<string, unknown>) => void;
  /** Told of each record that is given up on (after the log line), for a metric an alarm can watch. */
  onUndelivered?: (reason: string) => void;
}

interface PendingRecord {
  record: UsageRecord;
  data: Uint8Array;
}

interface BatchOutcome {
  failed: PendingRecord[];
  reason: string;
}

export const UNDELIVERED_MESSAGE = 'usage record not delivered';

export function fullJitterBackoff(attempt: number): number {
  const ceiling = Math.min(DEFAULT_FIREHOSE_RETRY.maxDelayMs, DEFAULT_FIREHOSE_RETRY.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createFirehoseSink(options: FirehoseSinkOptions): UsageSink {
  const maxRetries = options.maxRetries ?? DEFAULT_FIREHOSE_RETRY.maxRetries;
  const backoffMs = options.backoffMs ?? fullJitterBackoff;
  const sleep = options.sleep ?? wait;
  const encoder = new TextEncoder();
  let buffer: PendingRecord[] = [];
  let bufferedBytes = 0;

  const logUndelivered = (record: UsageRecord, reason: string): void => {
    options.log({ level: 'error', message: UNDELIVERED_MESSAGE, record, reason });
    options.onUndelivered?.(reason);
  };

  const putBatch = async (pending: PendingRecord[]): Promise<BatchOutcome> => {
    let output: Awaited<ReturnType<FirehoseBatchClient['send']>>;
    try {
      output = await options.client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: options.streamName,
          Records: pending.map((entry) => ({ Data: entry.data })),
        }),
      );
    } catch (error) {
      // The error's name only: messages may quote request details.
      return { failed: pending, reason: error instanceof Error ? error.name : 'UnknownError' };
    }
    const responses = output.RequestResponses ?? [];
    const failedCount = output.FailedPutCount ?? 0;
    if (responses.length !== pending.length) {
      // Without per-record answers the failed ones cannot be told apart: re-send all (ids dedupe).
      return { failed: failedCount > 0 ? pending : [], reason: 'FailedPutCount' };
    }
    const failed = pending.filter((_, index) => responses[index]?.ErrorCode != null);
    const reason = responses.find((response) => response.ErrorCode != null)?.ErrorCode ?? 'FailedPutCount';
    if (failed.length === 0 && failedCount > 0) return { failed: pending, reason };
    return { failed, reason };
  };

  const deliver = async (batch: PendingRecord[]): Promise<void> => {
    let pending = batch;
    let reason = '';
    for (let attempt = 0; attempt <= maxRetries; attempt += 1) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const outcome = await putBatch(pending);
      if (outcome.failed.length === 0) return;
      pending = outcome.failed;
      reason = outcome.reason;
    }
    for (const entry of pending) logUndelivered(entry.record, reason);
  };

  const flush = async (): Promise<void> => {
    const pending = buffer;
    buffer = [];
    bufferedBytes = 0;
    for (const batch of intoBatches(pending)) await deliver(batch);
  };

  return {
    async write(record) {
      const data = encoder.encode(`${JSON.stringify(record)}\n`);
      if (data.byteLength > FIREHOSE_LIMITS.bytesPerRecord) {
        logUndelivered(record, 'RecordTooLarge');
        return;
      }
      // Once the buffer holds a full batch it goes out, so memory stays bounded by one call's limits.
      if (buffer.length >= FIREHOSE_LIMITS.recordsPerBatch || bufferedBytes + data.byteLength > FIREHOSE_LIMITS.bytesPerBatch) {
        await flush();
      }
      buffer.push({ record, data });
      bufferedBytes += data.byteLength;
    },
    flush,
  };
}

/** Split records into consecutive batches within the record-count and byte limits. */
function intoBatches(records: PendingRecord[]): PendingRecord[][] {
  const batches: PendingRecord[][] = [];
  let current: PendingRecord[] = [];
  let currentBytes = 0;
  for (const entry of records) {
    const full =
      current.length === FIREHOSE_LIMITS.recordsPerBatch || currentBytes + entry.data.byteLength > FIREHOSE_LIMITS.bytesPerBatch;
    if (full && current.length > 0) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += entry.data.byteLength;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
