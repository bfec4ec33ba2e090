// What the gateway bundle meets on AWS, on loopback: Secrets Manager and
// Firehose fakes (AWS JSON 1.1, reached through the SDK's service-specific
// endpoint variables), a catalog of simulated providers, seeded keys, and a
// reader for the SSE bodies it streams. Shared by the suites that run the
// bundle under the runtime stand-in and under the real runtime client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateApiKey, hashApiKey, keyLabel } from '../../lib/keys/api-key.ts';
import { putKey, type KeyKind } from '../../lib/store/keys.ts';
import type { UsageRecord } from '../../lib/usage/record.ts';
import type { TestDynamo } from './dynalite.ts';

export const SECRET_ID = 'switchyard/provider-credentials';
export const STREAM_NAME = 'switchyard-usage';

export interface AwsCall {
  target: string;
  body: Record<string, unknown>;
}

/** Secrets Manager (GetSecretValue) and Firehose (PutRecordBatch), AWS JSON 1.1 on one loopback port. */
export interface FakeAws {
  url: string;
  calls: AwsCall[];
  /** The usage records Firehose accepted, decoded. */
  usage: () => UsageRecord[];
  close(): Promise<void>;
}

export async function startFakeAws(secrets: Record<string, string> | undefined): Promise<FakeAws> {
  const calls: AwsCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      calls.push({ target, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
        res.end(JSON.stringify(payload));
      };
      if (target === 'secretsmanager.GetSecretValue' && body.SecretId === SECRET_ID && secrets !== undefined) {
        reply(200, { ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`, Name: SECRET_ID, SecretString: JSON.stringify(secrets), VersionStages: ['AWSCURRENT'] });
      } else if (target === 'Firehose_20150804.PutRecordBatch' && body.DeliveryStreamName === STREAM_NAME) {
        const records = body.Records as unknown[];
        reply(200, { FailedPutCount: 0, Encrypted: false, RequestResponses: records.map((_, index) => ({ RecordId: `record-${calls.length}-${index}` })) });
      } else {
        reply(400, { __type: 'ResourceNotFoundException', message: `No fake for ${target}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    usage: () =>
      calls
        .filter((call) => call.target === 'Firehose_20150804.PutRecordBatch')
        .flatMap((call) => (call.body.Records as Array<{ Data: string }>).map((record) => JSON.parse(Buffer.from(record.Data, 'base64').toString('utf8')) as UsageRecord)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Two providers on the simulator: `sim-a` (needs SIM_A_API_KEY from the secret) and `sim-down` (always 500). */
export function gatewayCatalogDocument(simulatorUrl: string): unknown {
  const endpoint = (provider: string, prices: [string, string]) => ({
    provider,
    upstreamModel: `${provider}-model`,
    pricing: { prompt: prices[0], completion: prices[1] },
    contextLength: 32_000,
    maxCompletionTokens: 4_096,
    supportedParameters: ['temperature', 'max_tokens', 'stop'],
  });
  const simulator = (extra: Record<string, unknown> = {}) => ({ firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...extra });
  return {
    providers: {
      'sim-a': { name: 'Sim A', kind: 'openai', baseUrl: `${simulatorUrl}/sim-a`, credential: 'SIM_A_API_KEY', simulator: simulator() },
      'sim-down': { name: 'Sim Down', kind: 'openai', baseUrl: `${simulatorUrl}/sim-down`, simulator: simulator({ failure: { mode: 'status', status: 500 } }) },
    },
    models: [
      { id: 'test/one', name: 'Test One', created: 1767225600, endpoints: [endpoint('sim-a', ['2', '4'])] },
      { id: 'test/down', name: 'Test Down', created: 1767225600, endpoints: [endpoint('sim-down', ['1', '1'])] },
    ],
  };
}

export async function seedKey(dynamo: TestDynamo, kind: KeyKind, accountId: string): Promise<string> {
  const key = generateApiKey();
  const now = new Date().toISOString();
  const table = { client: dynamo.client, name: dynamo.tableName };
  await putKey(table, {
    hash: await hashApiKey(key),
    kind,
    accountId,
    name: `${kind} key`,
    label: keyLabel(key),
    disabled: false,
    limitMicros: null,
    limitReset: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    requestsPerMinute: null,
  });
  return key;
}

/** The `data:` payloads of an SSE body, in order; comments and blank lines dropped. */
export const sseData = (text: string): string[] =>
  text
    .split('\n\n')
    .flatMap((frame) => frame.split('\n'))
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));

export interface ErrorEnvelope {
  error: { code: number; message: string; metadata?: Record<string, unknown> };
}
