// DynamoDB for local mode: dynalite on a loopback port, in a child process
// (cli/local-dynamo-process.ts), persisted with LevelDB under the data folder
// (or in memory), reached through the real AWS SDK, exactly as the gateway
// reaches DynamoDB on AWS.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Item } from '../lib/store/dynamo.ts';
import { listingAttributes } from '../lib/store/listing-backfill.ts';
import { LISTING_INDEX, PARTITION_KEY, SORT_KEY } from '../lib/store/table.ts';

export interface LocalDynamo {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  /** The stand-in's process, for those who measure it. */
  pid: number | undefined;
  close(): Promise<void>;
}

/**
 * The local table. Its name carries the schema's version: dynalite cannot add
 * an index to an existing table, so a data folder from before the listing
 * index (table `switchyard`) is upgraded by copying into a new table.
 */
export const LOCAL_TABLE = 'switchyard-v2';
/** Tables of earlier schemas, upgraded into LOCAL_TABLE at start. */
export const LEGACY_LOCAL_TABLES: readonly string[] = ['switchyard'];

const PROCESS_SCRIPT = path.join(import.meta.dirname, 'local-dynamo-process.ts');
const START_TIMEOUT_MS = 30_000;

export async function startLocalDynamo(directory: string | undefined): Promise<LocalDynamo> {
  // Detached: a process group of its own, so the Ctrl-C (or SIGTERM) sent to
  // the gateway's group does not reach it; it stops when the gateway closes
  // it, last, or when the gateway's process is gone (its IPC channel closes).
  const child = spawn(process.execPath, [PROCESS_SCRIPT, directory ?? ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
  const port = await readyPort(child);
  // Neither keeps the other alive: the child stops by itself when this process goes away.
  child.unref();
  child.channel?.unref();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Waited for: the stand-in is the last thing to stop, and this process may have nothing else left to keep it alive.
    child.ref();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await ensureTable(client, LOCAL_TABLE);
  } catch (error) {
    await close();
    throw error;
  }
  return { client, tableName: LOCAL_TABLE, endpoint, pid: child.pid, close };
}

/** The port the child listens on, once it says so; an error if it exits or stays silent first. */
function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the local DynamoDB did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const settle = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
    };
    const onMessage = (message: unknown): void => {
      const port = (message as { type?: unknown; port?: unknown }).port;
      if ((message as { type?: unknown }).type !== 'ready' || typeof port !== 'number') return;
      settle();
      resolve(port);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      settle();
      reject(new Error(`the local DynamoDB exited at start (${signal ?? `code ${String(code)}`})`));
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    child.on('message', onMessage).on('exit', onExit).on('error', onError);
  });
}

/** The table, created if absent; a legacy table is copied into it (with listing attributes) and dropped. */
export async function ensureTable(client: DynamoDBClient, name: string, legacyNames: readonly string[] = LEGACY_LOCAL_TABLES): Promise<void> {
  if (!(await tableExists(client, name))) await createTable(client, name);
  for (const legacy of legacyNames) {
    // Present only until an upgrade finished: the gateway never ran on `name`
    // while it is here, so copying it again after an interrupted upgrade
    // overwrites nothing newer.
    if (await tableExists(client, legacy)) await upgradeLegacyTable(client, legacy, name);
  }
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** Copy every item of `from` into `to`, account and key items with their listing attributes; then drop `from`. */
async function upgradeLegacyTable(client: DynamoDBClient, from: string, to: string): Promise<void> {
  let start: Item | undefined;
  let copied = 0;
  do {
    const page: ScanCommandOutput = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start, ConsistentRead: true }));
    const items = page.Items ?? [];
    for (let first = 0; first < items.length; first += 25) {
      let pending: WriteRequest[] = items.slice(first, first + 25).map((item) => ({ PutRequest: { Item: { ...item, ...listingAttributes(item) } } }));
      for (let round = 0; pending.length > 0; round += 1) {
        if (round === 10) throw new Error(`upgrading the local table ${from}: ${pending.length} items stayed unprocessed`);
        const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: pending } }));
        pending = result.UnprocessedItems?.[to] ?? [];
      }
    }
    copied += items.length;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  await client.send(new DeleteTableCommand({ TableName: from }));
  // Serve only once it is gone, so an interrupted upgrade is redone, not half-kept.
  for (let check = 0; check < 1_000 && (await tableExists(client, from)); check += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  console.error(JSON.stringify({ level: 'info', message: 'local table upgraded', from, to, items: copied }));
}

/** The gateway's table: `pk`/`sk` string keys and the listing index, on demand; resolves once it is ACTIVE. */
export async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
        { AttributeName: LISTING_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: LISTING_INDEX.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: LISTING_INDEX.name,
          KeySchema: [
            { AttributeName: LISTING_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: LISTING_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  // dynalite answers CreateTable before the table is ACTIVE: wait for it (bounded).
  for (let check = 0; check < 200; check += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`DynamoDB table ${name} did not become active`);
}
