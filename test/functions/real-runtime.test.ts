// The built bundles (dist/<name>/ as `npm run build` and the CDK app make
// them) under the real Lambda Node.js runtime interface client, npm
// `aws-lambda-ric`: its native Runtime API client, its handler loader and
// its response streams, in a child process, against a Runtime API emulated
// on loopback (test/support/lambda-runtime-api.ts). Around them: DynamoDB on
// dynalite, loopback Secrets Manager and Firehose, the provider simulator.
//
// The gateway streams through the Function URL HTTP-integration prelude; the
// health probe and the reclaim sweep are buffered handlers run by scheduled
// events.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { addCredits, createAccount, getAccount, reserveCredits } from '../../lib/store/accounts.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { buildFunctions, type FunctionName } from '../../scripts/build.ts';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-environment.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';
import { gatewayCatalogDocument, SECRET_ID, seedKey, sseData, startFakeAws, STREAM_NAME, type ErrorEnvelope, type FakeAws } from '../support/gateway-lambda.ts';
import { DELIMITER_LEN, functionUrlEvent, METADATA_PRELUDE_CONTENT_TYPE, type FunctionUrlRequest, type StreamedInvocation } from '../support/lambda-runtime.ts';
import { NO_RUNTIME_CLIENT_MESSAGE, runtimeClientEntry, startLambdaRuntimeApi, startRuntimeClient, type LambdaRuntimeApi, type RuntimeClient, type RuntimeInvocation } from '../support/lambda-runtime-api.ts';

// aws-lambda-ric is an optional dependency (its install needs cmake and a
// compiler). Without it these tests skip and say why; .ci/run installs the
// toolchain and sets SWITCHYARD_REQUIRE_RUNTIME_CLIENT=1, so in CI a missing
// client fails the run instead.
const withoutRuntimeClient = runtimeClientEntry === undefined;
if (withoutRuntimeClient) {
  if (process.env.SWITCHYARD_REQUIRE_RUNTIME_CLIENT === '1') throw new Error(`SWITCHYARD_REQUIRE_RUNTIME_CLIENT=1 but ${NO_RUNTIME_CLIENT_MESSAGE}`);
  console.warn(`real Lambda runtime client tests skipped: ${NO_RUNTIME_CLIENT_MESSAGE}`);
}

const ACCOUNT = 'acct-real-runtime';
const SIM_A_SECRET = 'sim-a-credential-from-the-secret';
const PROMPT = 'Tell me about switchyards, briefly';
const messages = [{ role: 'user', content: PROMPT }];

/** An EventBridge Scheduler invocation, as the schedules in infra/ send it. */
const scheduledEvent = (): Record<string, unknown> => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:scheduler:us-east-1:123456789012:schedule/default/switchyard'],
  detail: {},
});

interface CatalogDocument {
  providers: Record<string, Record<string, unknown>>;
  models: unknown[];
}

function withoutSimulatorSettings(document: CatalogDocument): CatalogDocument {
  const providers = Object.fromEntries(Object.entries(document.providers).map(([id, provider]) => [id, { ...provider, simulator: undefined }]));
  return { ...document, providers };
}

interface RunningFunction {
  api: LambdaRuntimeApi;
  client: RuntimeClient;
}

let buildRoot: string;
let bundles: Record<FunctionName, string>;
let dynamo: TestDynamo;
let aws: FakeAws;
let simulatorServer: RunningServer;
let catalogJson: string;
let apiKey: string;
const running: RunningFunction[] = [];

async function startFunction(name: FunctionName, environment: Record<string, string>): Promise<RunningFunction> {
  const api = await startLambdaRuntimeApi();
  const client = startRuntimeClient({ runtimeApi: api, taskRoot: bundles[name], handler: 'index.handler', environment });
  const started = { api, client };
  running.push(started);
  return started;
}

const awsEndpoints = (): Record<string, string> => ({
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
  AWS_ENDPOINT_URL_FIREHOSE: aws.url,
});

const gatewayEnvironment = (secretId = SECRET_ID): Record<string, string> => ({
  [FUNCTION_ENVIRONMENT.mode]: 'aws',
  [FUNCTION_ENVIRONMENT.tableName]: dynamo.tableName,
  [FUNCTION_ENVIRONMENT.providerSecretId]: secretId,
  [FUNCTION_ENVIRONMENT.usageStreamName]: STREAM_NAME,
  SWITCHYARD_CATALOG_JSON: catalogJson,
  ...awsEndpoints(),
});

beforeAll(async () => {
  if (withoutRuntimeClient) return;
  buildRoot = mkdtempSync(path.join(os.tmpdir(), 'switchyard-real-runtime-'));
  bundles = await buildFunctions({ outRoot: buildRoot });

  dynamo = await startDynamo();
  const table = { client: dynamo.client, name: dynamo.tableName };
  await createAccount(table, ACCOUNT, new Date().toISOString());
  await addCredits(table, ACCOUNT, 5_000_000);
  apiKey = await seedKey(dynamo, 'inference', ACCOUNT);
  aws = await startFakeAws({ SIM_A_API_KEY: SIM_A_SECRET });

  const box: { handle?: (request: Request) => Promise<Response> } = {};
  simulatorServer = await serve((request) => (box.handle as (request: Request) => Promise<Response>)(request));
  const document = gatewayCatalogDocument(simulatorServer.url);
  box.handle = createSimulator({ catalog: createCatalog(document) }).handle;
  catalogJson = JSON.stringify(document);
});

afterAll(async () => {
  if (withoutRuntimeClient) return;
  for (const { api, client } of running) {
    await client.stop();
    await api.close();
  }
  await simulatorServer.close();
  await aws.close();
  await dynamo.close();
  rmSync(buildRoot, { recursive: true, force: true });
});

/** The lines of a function's output that are JSON objects (Powertools' logs and metrics). */
function jsonLines(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** A streamed invocation as the Function URL client receives it; fails the test on anything else. */
function asFunctionUrlReply(invocation: RuntimeInvocation): StreamedInvocation {
  expect(invocation.outcome).toBe('response');
  expect(invocation.streaming).toBe(true);
  expect(invocation.functionUrl).toBeDefined();
  return invocation.functionUrl as StreamedInvocation;
}

/** The upload is exactly the JSON prelude, 8 NUL bytes and the body: nothing before, between or after. */
function expectPreludeFraming(reply: StreamedInvocation): void {
  expect(reply.contentType).toBe(METADATA_PRELUDE_CONTENT_TYPE);
  expect(reply.raw.equals(Buffer.concat([Buffer.from(JSON.stringify(reply.prelude)), Buffer.alloc(DELIMITER_LEN), reply.body]))).toBe(true);
  expect(reply.error).toBeUndefined();
}

describe.skipIf(withoutRuntimeClient)('the gateway bundle under the real Lambda runtime client', () => {
  let gateway: RunningFunction;
  const invoke = async (request: FunctionUrlRequest): Promise<StreamedInvocation> => asFunctionUrlReply(await gateway.api.invoke(functionUrlEvent(request)));
  const chat = (body: Record<string, unknown>, key: string | null = apiKey): Promise<StreamedInvocation> =>
    invoke({
      method: 'POST',
      path: '/api/v1/chat/completions',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    gateway = await startFunction('gateway', gatewayEnvironment());
  });

  it('streams a chat completion byte for byte: the prelude, then SSE frames, usage with cost, [DONE]', async () => {
    const reply = await chat({ model: 'test/one', messages, stream: true });

    expectPreludeFraming(reply);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/event-stream/);
    const generationId = reply.headers['x-generation-id'] ?? '';
    expect(generationId).toMatch(/^gen-/);
    // Every frame is `data: <json>` or a keep-alive comment, each ended by a blank line, the last one `[DONE]`.
    expect(reply.text).toMatch(/^(?:(?::[^\n]*|data: [^\n]+)\n\n)+$/);
    const data = sseData(reply.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as { id: string; choices: Array<{ delta?: { content?: string }; finish_reason?: string | null }>; usage?: { completion_tokens: number; prompt_tokens: number; cost: number } });
    for (const chunk of chunks) expect(chunk.id).toBe(generationId);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks.at(-1)?.usage;
    expect(usage?.completion_tokens).toBe(12);
    expect(Math.round((usage?.cost ?? 0) * 1_000_000)).toBe((usage?.prompt_tokens ?? 0) * 2 + (usage?.completion_tokens ?? 0) * 4);
    // Billing and the usage record were finished before the runtime closed the invocation.
    expect(aws.usage().find((record) => record.id === generationId)).toMatchObject({ streamed: true, status: 200, account_id: ACCOUNT });

    // The same prompt answered as JSON has the same text: the stream carried every byte of it.
    const json = await chat({ model: 'test/one', messages });
    const completion = JSON.parse(json.text) as { choices: Array<{ message: { content: string } }> };
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(completion.choices[0]?.message.content);
  });

  it('answers a non-streamed chat completion with one JSON body after the prelude', async () => {
    const reply = await chat({ model: 'test/one', messages });

    expectPreludeFraming(reply);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const completion = JSON.parse(reply.text) as { id: string; object: string; provider: string; usage: { cost: number } };
    expect(completion).toMatchObject({ id: reply.headers['x-generation-id'], object: 'chat.completion', provider: 'Sim A' });
    // One JSON document, exactly: no trailing frame or padding.
    expect(reply.text).toBe(JSON.stringify(JSON.parse(reply.text)));
    expect(aws.usage().find((record) => record.id === completion.id)).toMatchObject({ streamed: false, status: 200 });
  });

  it.each([
    { name: '401 without a key', request: () => chat({ model: 'test/one', messages, stream: true }, null), status: 401 },
    { name: '400 naming the bad field', request: () => chat({ model: 'test/one', messages, temperature: 'hot', stream: true }), status: 400 },
    { name: '502 when the only provider fails before the first token', request: () => chat({ model: 'test/down', messages, stream: true }), status: 502 },
    { name: '413 for a body past the Function URL limit (6 MB)', request: () => chat({ model: 'test/one', messages: [{ role: 'user', content: 'x'.repeat(6 * 1024 * 1024) }] }), status: 413 },
  ])('gives $name, in the prelude and the error envelope, before any body byte', async ({ request, status }) => {
    const reply = await request();

    expectPreludeFraming(reply);
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect((JSON.parse(reply.text) as ErrorEnvelope).error.code).toBe(status);
  });

  it('answers the health route', async () => {
    const reply = await invoke({ method: 'GET', path: '/api/v1/health' });

    expectPreludeFraming(reply);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ status: 'ok' });
  });

  it('answers an event that is not a Function URL request with a 400 and a log line, and serves the next one', async () => {
    const reply = asFunctionUrlReply(await gateway.api.invoke({ hello: 'world', prompt: 'not for the logs' }));

    expectPreludeFraming(reply);
    expect(reply.status).toBe(400);
    expect((JSON.parse(reply.text) as ErrorEnvelope).error).toMatchObject({ code: 400, metadata: { error_type: 'invalid_request' } });
    // One structured line from Powertools Logger: level, message, service, and the event's field names only.
    const logged = jsonLines(gateway.client.lines).find((line) => line.message === 'invocation event is not a Function URL request');
    expect(logged).toMatchObject({ level: 'WARN', service: 'gateway', fields: ['hello', 'prompt'] });

    const next = await chat({ model: 'test/one', messages });
    expect(next.status).toBe(200);
  });

  it('never started twice, and never wrote a key, a credential, a prompt or a completion to its log', () => {
    expect(gateway.api.initErrors).toEqual([]);
    const log = gateway.client.lines.join('\n');
    expect(log).not.toContain(apiKey);
    expect(log).not.toContain(SIM_A_SECRET);
    expect(log).not.toContain(PROMPT);
    expect(log).not.toContain('not for the logs');
  });
});

describe.skipIf(withoutRuntimeClient)('the gateway bundle without its provider secret', () => {
  it('starts, answers a model that needs a key with 503 and a log line, and keeps serving', async () => {
    const gateway = await startFunction('gateway', gatewayEnvironment('switchyard/no-such-secret'));
    const request = (): Promise<RuntimeInvocation> =>
      gateway.api.invoke(
        functionUrlEvent({
          method: 'POST',
          path: '/api/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ model: 'test/one', messages }),
        }),
      );

    for (let round = 0; round < 2; round += 1) {
      const reply = asFunctionUrlReply(await request());
      expectPreludeFraming(reply);
      expect(reply.status).toBe(503);
      expect((JSON.parse(reply.text) as ErrorEnvelope).error).toMatchObject({ code: 503, metadata: { error_type: 'provider_unavailable', provider_name: 'Sim A' } });
    }
    expect(gateway.client.lines.some((line) => line.includes('provider credentials unavailable') && line.includes('switchyard/no-such-secret'))).toBe(true);
    // Still the first process: no init error, no exit, ready for the next invocation.
    expect(gateway.api.initErrors).toEqual([]);
    expect(gateway.api.nextRequests).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(withoutRuntimeClient)('the scheduled functions under the real Lambda runtime client', () => {
  it('runs the health probe on a scheduled event: it records each endpoint and returns its summary', async () => {
    const probe = await startFunction('health-probe', {
      [FUNCTION_ENVIRONMENT.mode]: 'aws',
      [FUNCTION_ENVIRONMENT.tableName]: dynamo.tableName,
      [FUNCTION_ENVIRONMENT.providerSecretId]: SECRET_ID,
      // The same providers as real ones: the probe leaves simulated providers alone.
      SWITCHYARD_CATALOG_JSON: JSON.stringify(withoutSimulatorSettings(JSON.parse(catalogJson) as CatalogDocument)),
      ...awsEndpoints(),
    });

    const invocation = await probe.api.invoke(scheduledEvent());

    expect(invocation).toMatchObject({ outcome: 'response', streaming: false, payload: { ok: 1, failed: 1, skipped: 0 } });
    // The run's counts, as CloudWatch embedded metrics (Powertools Metrics) the alarms read.
    const metrics = jsonLines(probe.client.lines).find((line) => '_aws' in line);
    expect(metrics).toMatchObject({ service: 'health-probe', ProbeEndpointsOk: 1, ProbeEndpointsFailed: 1, ProbeEndpointsSkipped: 0 });
    expect(JSON.stringify(metrics)).toContain('"Namespace":"Switchyard"');
    const records = await createHealthStore({ client: dynamo.client, name: dynamo.tableName }).getMany(['test/one@sim-a', 'test/down@sim-down'], Date.now());
    expect(records.map((record) => record.endpointId).sort()).toEqual(['test/down@sim-down', 'test/one@sim-a']);
    expect(probe.api.initErrors).toEqual([]);
  });

  it('runs the reclaim sweep on a scheduled event: an expired hold goes back to its account', async () => {
    const table = { client: dynamo.client, name: dynamo.tableName };
    const account = 'acct-reclaim-real-runtime';
    const crashedAt = Date.now() - 60 * 60_000;
    await createAccount(table, account, new Date(crashedAt).toISOString());
    await addCredits(table, account, 1_000);
    const reserved = await reserveCredits(table, account, { id: 'gen-crashed', amountMicros: 400, expiresAt: crashedAt + 20 * 60_000 });
    expect(reserved.ok).toBe(true);
    const sweep = await startFunction('reclaim', { [FUNCTION_ENVIRONMENT.mode]: 'aws', [FUNCTION_ENVIRONMENT.tableName]: dynamo.tableName, ...awsEndpoints() });

    const invocation = await sweep.api.invoke(scheduledEvent());

    expect(invocation.outcome).toBe('response');
    expect(invocation.payload).toMatchObject({ failed: 0 });
    expect(await getAccount(table, account)).toMatchObject({ availableMicros: 1_000, holds: [] });
  });

  it('reports a failed sweep to the runtime as a function error, and runs again on the next event', async () => {
    const sweep = await startFunction('reclaim', { [FUNCTION_ENVIRONMENT.mode]: 'aws', [FUNCTION_ENVIRONMENT.tableName]: 'no-such-table', ...awsEndpoints() });

    const first = await sweep.api.invoke(scheduledEvent());
    const second = await sweep.api.invoke(scheduledEvent());

    for (const invocation of [first, second]) {
      expect(invocation.outcome).toBe('error');
      expect(invocation.error?.type).not.toBe('');
    }
    expect(sweep.api.initErrors).toEqual([]);
  });
});

describe('an execution environment shut down by Lambda (SIGTERM)', () => {
  it('returns its lease to the balance, with every charge and record written', async () => {
    const table = { client: dynamo.client, name: dynamo.tableName };
    const account = 'acct-shutdown-real-runtime';
    await createAccount(table, account, new Date().toISOString());
    await addCredits(table, account, 1_000_000_000);
    const key = await seedKey(dynamo, 'inference', account);
    const environment = await startFunction('gateway', gatewayEnvironment());
    const chat = async (): Promise<StreamedInvocation> =>
      asFunctionUrlReply(
        await environment.api.invoke(
          functionUrlEvent({
            method: 'POST',
            path: '/api/v1/chat/completions',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ model: 'test/one', messages }),
          }),
        ),
      );
    // The first request learns the balance on the exact path; the next ones are admitted on a lease.
    const replies = [await chat(), await chat(), await chat()];
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    const leased = await getAccount(table, account);
    expect(leased?.holds.map((hold) => hold.id.startsWith('lease-'))).toEqual([true]);

    environment.client.signal('SIGTERM');

    // The runtime client's native long poll for the next invocation may outlive process.exit (Lambda ends the process after its shutdown phase anyway): what counts is the store.
    let after = await getAccount(table, account);
    for (let look = 0; look < 200 && (after?.holds.length ?? 0) > 0; look += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await getAccount(table, account);
    }
    expect(after?.holds).toEqual([]);
    expect(after?.spentMicros).toBeGreaterThan(0);
    expect(after?.availableMicros).toBe(1_000_000_000 - (after?.spentMicros ?? 0));
    const charged = replies.map((reply) => aws.usage().find((record) => record.id === reply.headers['x-generation-id'])?.cost_micros ?? Number.NaN);
    expect(after?.spentMicros).toBe(charged.reduce((sum, cost) => sum + cost, 0));
  });
});
