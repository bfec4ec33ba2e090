// DynamoDB for local mode: dynalite on a loopback port, in a child process
// (cli/local-dynamo-process.ts), persisted with LevelDB under the data folder
// (or in memory), reached through the real AWS SDK, exactly as the gateway
// reaches DynamoDB on AWS.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY, SORT_KEY } from '../lib/store/table.ts';

export interface LocalDynamo {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  /** The stand-in's process, for those who measure it. */
  pid: number | undefined;
  close(): Promise<void>;
}

export const LOCAL_TABLE = 'switchyard';

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

async function ensureTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
  }
  await createTable(client, name);
}

/** The gateway's table: `pk`/`sk` string keys, on demand; resolves once it is ACTIVE. */
export async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
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
