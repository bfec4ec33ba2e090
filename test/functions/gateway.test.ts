// The built gateway bundle (dist/gateway/index.mjs), invoked as the Node.js
// Lambda runtime invokes a response-streaming handler, with Function URL
// events. Around it: DynamoDB (dynalite) through the real SDK, loopback
// fakes of Secrets Manager and Firehose reached through the SDK's
// service-specific endpoint variables, and the provider simulator.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { addCredits, createAccount, getAccount } from '../../lib/store/accounts.ts';
import { buildFunctions } from '../../scripts/build.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';
import { gatewayCatalogDocument, SECRET_ID, seedKey, sseData, startFakeAws, STREAM_NAME, type ErrorEnvelope, type FakeAws } from '../support/gateway-lambda.ts';
import { DELIMITER_LEN, functionUrlEvent, installLambdaRuntime, type FunctionUrlRequest, type LambdaRuntime, type StreamedInvocation } from '../support/lambda-runtime.ts';

const ACCOUNT = 'acct-lambda';
const SIM_A_SECRET = 'sim-a-credential-value';

/** DynamoDB's API in front of dynalite, counting each operation by its X-Amz-Target (`GetItem`, `UpdateItem`, …). */
async function startCountingDynamo(endpoint: string): Promise<{ url: string; operations: Map<string, number>; close(): Promise<void> }> {
  const target = new URL(endpoint);
  const operations = new Map<string, number>();
  const server: Server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    const forward = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan'];
const readsOf = (operations: Map<string, number>): number => READS.reduce((sum, name) => sum + (operations.get(name) ?? 0), 0);

let dynamo: TestDynamo;
let dynamoOperations: Awaited<ReturnType<typeof startCountingDynamo>>;
let aws: FakeAws;
let buildRoot: string;
let gatewayBundle: string;
let simulatorServer: RunningServer;
let runtime: LambdaRuntime;
let handler: unknown;
let apiKey: string;
let managementKey: string;
let configDirectory: string;
const upstreamAuthorization: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  // The real build, as `npm run build` and the CDK app run it; into a folder of its own, so no other suite sees it half-written.
  buildRoot = mkdtempSync(path.join(os.tmpdir(), 'switchyard-dist-'));
  gatewayBundle = (await buildFunctions({ outRoot: buildRoot })).gateway;

  dynamo = await startDynamo();
  const table = { client: dynamo.client, name: dynamo.tableName };
  await createAccount(table, ACCOUNT, new Date().toISOString());
  await addCredits(table, ACCOUNT, 5_000_000);
  apiKey = await seedKey(dynamo, 'inference', ACCOUNT);
  managementKey = await seedKey(dynamo, 'management', ACCOUNT);

  dynamoOperations = await startCountingDynamo(dynamo.endpoint);
  aws = await startFakeAws({ SIM_A_API_KEY: SIM_A_SECRET });
  const box: { handle?: (request: Request) => Promise<Response> } = {};
  simulatorServer = await serve((request) => {
    upstreamAuthorization.push(request.headers.get('authorization') ?? '');
    return (box.handle as (request: Request) => Promise<Response>)(request);
  });
  const document = gatewayCatalogDocument(simulatorServer.url);
  const simulator = createSimulator({ catalog: createCatalog(document) });
  box.handle = (request) => simulator.handle(request);

  // No shared AWS config of this machine may leak in.
  configDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-aws-'));
  Object.assign(process.env, {
    SWITCHYARD_TABLE_NAME: dynamo.tableName,
    SWITCHYARD_PROVIDER_SECRET_ID: SECRET_ID,
    SWITCHYARD_USAGE_STREAM_NAME: STREAM_NAME,
    SWITCHYARD_CATALOG_JSON: JSON.stringify(document),
    AWS_ENDPOINT_URL_DYNAMODB: dynamoOperations.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_FIREHOSE: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: path.join(configDirectory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(configDirectory, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // An on-demand start, as most Lambda cold starts are: start-up may read ahead.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  runtime = await installLambdaRuntime();
  const bundle = (await import(pathToFileURL(path.join(gatewayBundle, 'index.mjs')).href)) as { handler: unknown };
  handler = bundle.handler;
});

afterAll(async () => {
  await runtime.close();
  await simulatorServer.close();
  await aws.close();
  await dynamoOperations.close();
  await dynamo.close();
  rmSync(configDirectory, { recursive: true, force: true });
  rmSync(buildRoot, { recursive: true, force: true });
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

const invoke = (request: FunctionUrlRequest): Promise<StreamedInvocation> => runtime.invoke(handler, functionUrlEvent(request));

const chat = (body: Record<string, unknown>, key: string | null = apiKey, extra: Partial<FunctionUrlRequest> = {}): Promise<StreamedInvocation> =>
  invoke({
    method: 'POST',
    path: '/api/v1/chat/completions',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
    ...extra,
  });

/** The balance as a user sees it: credits − spent (open holds and leases aside). */
const available = async (): Promise<number> => {
  const account = await getAccount({ client: dynamo.client, name: dynamo.tableName }, ACCOUNT);
  return account === undefined ? Number.NaN : account.creditsMicros - account.spentMicros;
};

const messages = [{ role: 'user', content: 'Say something nice' }];

describe('the gateway bundle on the Lambda streaming runtime', () => {
  it('reads the provider secret while it starts, before its first invocation, and only once', async () => {
    const secretReads = () => aws.calls.filter((call) => call.target === 'secretsmanager.GetSecretValue').length;
    await vi.waitFor(() => expect(secretReads()).toBe(1));

    const result = await chat({ model: 'test/one', messages, stream: false });

    expect(result.status).toBe(200);
    expect(secretReads()).toBe(1);
    expect(upstreamAuthorization.at(-1)).toBe(`Bearer ${SIM_A_SECRET}`);
  });

  it('streams a chat completion: 200 in the prelude, SSE chunks, usage with cost, [DONE]', async () => {
    const before = await available();
    const result = await chat({ model: 'test/one', messages, stream: true });

    expect(result.contentType).toBe('application/vnd.awslambda.http-integration-response');
    const preludeText = JSON.stringify(result.prelude);
    expect(result.raw.subarray(0, preludeText.length).toString('utf8')).toBe(preludeText);
    expect([...result.raw.subarray(preludeText.length, preludeText.length + DELIMITER_LEN)]).toEqual(new Array(DELIMITER_LEN).fill(0));
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/^text\/event-stream/);
    const generationId = result.headers['x-generation-id'];
    expect(generationId).toMatch(/^gen-/);
    expect(result.ended).toBe(true);
    expect(result.error).toBeUndefined();

    const data = sseData(result.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as { id: string; model: string; provider: string; choices: Array<{ delta?: { content?: string }; finish_reason?: string | null }>; usage?: { prompt_tokens: number; completion_tokens: number; cost: number } });
    for (const chunk of chunks) expect(chunk.id).toBe(generationId);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text.split(' ').filter((word) => word !== '')).toHaveLength(12);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks.at(-1)?.usage;
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(usage?.completion_tokens).toBe(12);
    const costMicros = (usage?.prompt_tokens ?? 0) * 2 + (usage?.completion_tokens ?? 0) * 4;
    expect(Math.round((usage?.cost ?? 0) * 1_000_000)).toBe(costMicros);

    // Billing and usage finished before the handler's promise resolved: no waiting here.
    const record = aws.usage().find((entry) => entry.id === generationId);
    expect(record).toMatchObject({ account_id: ACCOUNT, model: 'test/one', provider: 'Sim A', streamed: true, status: 200, cost_micros: costMicros, completion_tokens: 12 });
    expect(before - (await available())).toBe(costMicros);
    // The provider credential came from the secret.
    expect(upstreamAuthorization.at(-1)).toBe(`Bearer ${SIM_A_SECRET}`);
    expect(aws.calls.filter((call) => call.target === 'secretsmanager.GetSecretValue').length).toBeGreaterThanOrEqual(1);
  });

  it('answers a non-streamed chat completion with a JSON body', async () => {
    const before = await available();
    const result = await chat({ model: 'test/one', messages });

    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    const completion = JSON.parse(result.text) as { id: string; object: string; provider: string; choices: Array<{ message: { content: string }; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number; cost: number } };
    expect(completion.id).toBe(result.headers['x-generation-id']);
    expect(completion.object).toBe('chat.completion');
    expect(completion.provider).toBe('Sim A');
    expect(completion.choices[0]?.message.content.split(' ')).toHaveLength(12);
    const costMicros = completion.usage.prompt_tokens * 2 + completion.usage.completion_tokens * 4;
    expect(Math.round(completion.usage.cost * 1_000_000)).toBe(costMicros);
    expect(aws.usage().find((entry) => entry.id === completion.id)).toMatchObject({ streamed: false, status: 200, cost_micros: costMicros });
    expect(before - (await available())).toBe(costMicros);
  });

  it('reads nothing from DynamoDB on a warm request while the balance is high (key, health and credit lease are in memory)', async () => {
    const warmUp = await chat({ model: 'test/one', messages: [{ role: 'user', content: 'Warm up' }], stream: true, max_tokens: 16 });
    expect(warmUp.status).toBe(200);
    const before = readsOf(dynamoOperations.operations);

    const warm = await chat({ model: 'test/one', messages: [{ role: 'user', content: 'Hello again' }], stream: true, max_tokens: 16 });

    expect(warm.status).toBe(200);
    expect(warm.text).toContain('data: [DONE]');
    expect(readsOf(dynamoOperations.operations)).toBe(before);
    expect(before).toBeGreaterThan(0);
  });

  it('reads a base64-encoded body, as Function URLs deliver non-text content types', async () => {
    const result = await chat({ model: 'test/one', messages }, apiKey, { base64: true, headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${apiKey}` } });

    expect(result.status).toBe(200);
    expect((JSON.parse(result.text) as { object: string }).object).toBe('chat.completion');
  });

  it('passes the query string: the generation just served can be looked up', async () => {
    const served = await chat({ model: 'test/one', messages });
    const id = served.headers['x-generation-id'] ?? '';

    const result = await invoke({ method: 'GET', path: `/api/v1/generation?id=${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${apiKey}` } });

    expect(result.status).toBe(200);
    expect((JSON.parse(result.text) as { data: { id: string } }).data.id).toBe(id);
  });

  const errorCases: Array<{ name: string; request: () => Promise<StreamedInvocation>; status: number; message: RegExp }> = [
    { name: '401 without a key', request: () => chat({ model: 'test/one', messages }, null), status: 401, message: /No auth credentials/ },
    { name: '403 for a management key', request: () => chat({ model: 'test/one', messages }, managementKey), status: 403, message: /Management keys cannot call inference/ },
    { name: '400 naming the field', request: () => chat({ model: 'test/one', messages, temperature: 'hot' }), status: 400, message: /`temperature`/ },
    { name: '404 for an unknown route', request: () => invoke({ method: 'GET', path: '/api/v1/nowhere', headers: { authorization: `Bearer ${apiKey}` } }), status: 404, message: /No route for GET \/api\/v1\/nowhere/ },
  ];
  for (const { name, request, status, message } of errorCases) {
    it(`answers ${name} with its status in the prelude and the error envelope`, async () => {
      const result = await request();

      expect(result.status).toBe(status);
      expect(result.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(result.text) as ErrorEnvelope;
      expect(body.error.code).toBe(status);
      expect(body.error.message).toMatch(message);
      expect(result.ended).toBe(true);
      expect(result.error).toBeUndefined();
    });
  }

  it('answers an upstream failure before the commit point with 502, no upstream body, and bills nothing', async () => {
    const before = await available();
    const result = await chat({ model: 'test/down', messages, stream: true });

    expect(result.status).toBe(502);
    const body = JSON.parse(result.text) as ErrorEnvelope;
    expect(body.error.code).toBe(502);
    expect(body.error.message).toBe('Provider returned error (Sim Down)');
    expect(body.error.metadata).toEqual({ error_type: 'provider_unavailable', provider_name: 'Sim Down' });
    const record = aws.usage().find((entry) => entry.id === result.headers['x-generation-id']);
    expect(record).toMatchObject({ status: 502, error_code: 'provider_unavailable', cost_micros: 0, model: null });
    expect(await available()).toBe(before);
  });
});

describe('the gateway bundle as deployed', () => {
  it('stays within 1 MB of code, its lazily loaded chunks included, beside the tokenizer encodings it loads only to count an unreported usage and the catalog data', () => {
    const folder = gatewayBundle;
    const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const encoding = (name: string): boolean => /^(o200k_base|cl100k_base)-/.test(name);
    const catalog = (name: string): boolean => name === 'default-catalog.json';
    const size = (entry: (typeof files)[number]): number => statSync(path.join(entry.parentPath, entry.name)).size;
    const bytes = files.filter((entry) => !encoding(entry.name) && !catalog(entry.name)).reduce((sum, entry) => sum + size(entry), 0);

    expect(files.map((entry) => entry.name)).toContain('index.mjs');
    expect(files.filter((entry) => encoding(entry.name))).toHaveLength(2);
    expect(bytes).toBeLessThanOrEqual(1_000_000);
    // The default catalog is JSON that Node parses at start (not JavaScript it compiles): bounded on its own.
    const [catalogFile] = files.filter((entry) => catalog(entry.name));
    expect(catalogFile?.parentPath).toBe(folder);
    expect(size(catalogFile as (typeof files)[number])).toBeLessThanOrEqual(512 * 1024);
  });
});
