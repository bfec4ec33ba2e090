// What the function asks of AWS, counted on the wire, for the bill per request
// and the fleet drill:
//   - DynamoDB: a proxy in front of dynalite that asks for each item
//     operation's consumed capacity (`ReturnConsumedCapacity: TOTAL`, which
//     dynalite computes from item sizes as DynamoDB does: a write unit per KB
//     of the larger of the old and new item, a read unit per 4 KB, half for an
//     eventually consistent read), keeps it, and hands the function the reply
//     it asked for. A conditional write whose condition fails still costs
//     DynamoDB's write units; dynalite reports none for it, so it is counted
//     at the units of the last write of that item.
//   - Firehose and Secrets Manager: a loopback stand-in (AWS JSON 1.1) that
//     accepts every PutRecordBatch and answers GetSecretValue, counting calls,
//     records and their bytes.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface DynamoWrite {
  /** Harness clock, ms. */
  at: number;
  operation: string;
  /** The item's partition key. */
  pk: string;
  units: number;
  failedCondition: boolean;
}

export interface DynamoCounts {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  writes: DynamoWrite[];
}

export interface DynamoCounter {
  endpoint: string;
  counts(): DynamoCounts;
  reset(): void;
  close(): Promise<void>;
}

const ITEM_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

type AttributeValue = { S?: string };

function partitionKey(body: Record<string, unknown>): string {
  const key = (body.Key ?? body.Item) as Record<string, AttributeValue> | undefined;
  return key?.pk?.S ?? '(batch)';
}

function capacityOf(reply: Record<string, unknown>): number {
  const consumed = reply.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
  if (consumed === undefined) return 0;
  return (Array.isArray(consumed) ? consumed : [consumed]).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

export async function startDynamoCounter(dynalite: string, now: () => number): Promise<DynamoCounter> {
  const target = new URL(dynalite);
  let counts: DynamoCounts = { calls: {}, readUnits: 0, writeUnits: 0, writes: [] };
  const lastWriteUnits = new Map<string, number>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const asked = body.ReturnConsumedCapacity !== undefined && body.ReturnConsumedCapacity !== 'NONE';
      const counted = ITEM_OPERATIONS.has(operation);
      const forwarded = Buffer.from(JSON.stringify(counted && !asked ? { ...body, ReturnConsumedCapacity: 'TOTAL' } : body));
      // The SDK signed the original body; dynalite checks no signature.
      const headers: IncomingHttpHeaders = { ...incoming.headers, 'content-length': String(forwarded.length), host: target.host };
      const proxied = request({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers }, (reply) => {
        const parts: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => parts.push(chunk));
        reply.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let payload = Buffer.from(text);
          counts.calls[operation] = (counts.calls[operation] ?? 0) + 1;
          if (counted) {
            const parsed = JSON.parse(text || '{}') as Record<string, unknown>;
            const write = WRITES.has(operation);
            const pk = partitionKey(body);
            const failedCondition = reply.statusCode === 400 && String(parsed.__type ?? '').endsWith('ConditionalCheckFailedException');
            const units = failedCondition ? (lastWriteUnits.get(pk) ?? 1) : capacityOf(parsed);
            if (write) {
              counts.writeUnits += units;
              counts.writes.push({ at: now(), operation, pk, units, failedCondition });
              if (!failedCondition) lastWriteUnits.set(pk, units);
            } else counts.readUnits += units;
            if (!asked && reply.statusCode === 200) {
              delete parsed.ConsumedCapacity;
              payload = Buffer.from(JSON.stringify(parsed));
            }
          }
          const replyHeaders: IncomingHttpHeaders = { ...reply.headers, 'content-length': String(payload.length) };
          // The SDK checks DynamoDB's body checksum: it is the checksum of what we send on.
          if (replyHeaders['x-amz-crc32'] !== undefined) replyHeaders['x-amz-crc32'] = String(crc32(payload));
          outgoing.writeHead(reply.statusCode ?? 500, replyHeaders).end(payload);
        });
      });
      proxied.on('error', () => outgoing.destroy());
      proxied.end(forwarded);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => counts,
    reset: () => {
      counts = { calls: {}, readUnits: 0, writeUnits: 0, writes: [] };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface AwsCounts {
  calls: Record<string, number>;
  /** Firehose records and their bytes (decoded), each as sent. */
  firehoseRecordBytes: number[];
  /** The records themselves (usage records: ids, counts and cost, no content), to size them as S3 keeps them. */
  firehoseRecords: Buffer[];
}

export interface CountingAws {
  url: string;
  counts(): AwsCounts;
  reset(): void;
  close(): Promise<void>;
}

/** Firehose (PutRecordBatch) and Secrets Manager (GetSecretValue), AWS JSON 1.1 on one loopback port, counted. */
export async function startCountingAws(secret: Record<string, string>): Promise<CountingAws> {
  let counts: AwsCounts = { calls: {}, firehoseRecordBytes: [], firehoseRecords: [] };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const target = String(incoming.headers['x-amz-target'] ?? 'unknown');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      counts.calls[target] = (counts.calls[target] ?? 0) + 1;
      let reply: unknown;
      if (target.endsWith('.PutRecordBatch')) {
        const records = (body.Records as { Data: string }[] | undefined) ?? [];
        for (const record of records) {
          const data = Buffer.from(record.Data, 'base64');
          counts.firehoseRecordBytes.push(data.length);
          counts.firehoseRecords.push(data);
        }
        reply = { FailedPutCount: 0, Encrypted: false, RequestResponses: records.map((_, index) => ({ RecordId: `bench-${index}` })) };
      } else if (target.endsWith('.GetSecretValue')) {
        reply = { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${String(body.SecretId)}`, Name: body.SecretId, SecretString: JSON.stringify(secret), VersionStages: ['AWSCURRENT'] };
      } else reply = {};
      outgoing.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(reply));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => counts,
    reset: () => {
      counts = { calls: {}, firehoseRecordBytes: [], firehoseRecords: [] };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
