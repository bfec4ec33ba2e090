// The health-probe function as the schedule runs it: configured from its
// environment, it reads provider credentials from Secrets Manager (a loopback
// fake reached through the SDK), probes every endpoint of its catalog and
// writes each endpoint's health to DynamoDB (dynalite, real SDK).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { createHealthStore } from '../../lib/store/health.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

const SECRET_ID = 'switchyard/provider-credentials';
const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-model`,
  pricing: { prompt: '1', completion: '2' },
  contextLength: 8_192,
  maxCompletionTokens: 1_024,
  supportedParameters: ['max_tokens'],
});
const models = [
  { id: 'probe/healthy', name: 'Healthy', created: 1, endpoints: [endpoint('healthy')] },
  { id: 'probe/down', name: 'Down', created: 1, endpoints: [endpoint('down')] },
  { id: 'probe/keyless', name: 'No key', created: 1, endpoints: [endpoint('keyless')] },
];

let dynamo: TestDynamo;
let simulator: RunningServer;
let secrets: Server;
let secretReads = 0;
let configDirectory: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynamo();
  // The simulator plays two providers: one that answers, one that is down.
  const simulated = {
    providers: {
      healthy: { name: 'Healthy', kind: 'openai', simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 3 } },
      down: { name: 'Down', kind: 'openai', simulator: { failure: { mode: 'status', status: 503 } } },
    },
    models: models.slice(0, 2),
  };
  const box: { handle?: (request: Request) => Promise<Response> } = {};
  simulator = await serve((request) => (box.handle as (request: Request) => Promise<Response>)(request));
  box.handle = createSimulator({ catalog: createCatalog(simulated, { simulatorUrl: simulator.url }) }).handle;

  secrets = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      secretReads += 1;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Name: SECRET_ID, SecretString: JSON.stringify({ SIM_KEY: 'probe-credential' }) }));
    });
  });
  await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', () => resolve()));

  // What the probe's own catalog says: real-looking providers at the simulator's addresses.
  const catalog = {
    providers: {
      healthy: { name: 'Healthy', kind: 'openai', baseUrl: `${simulator.url}/healthy`, credential: 'SIM_KEY' },
      down: { name: 'Down', kind: 'openai', baseUrl: `${simulator.url}/down`, credential: 'SIM_KEY' },
      keyless: { name: 'Keyless', kind: 'openai', baseUrl: `${simulator.url}/healthy`, credential: 'NOT_IN_THE_SECRET' },
    },
    models,
  };
  configDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-probe-aws-'));
  Object.assign(process.env, {
    SWITCHYARD_TABLE_NAME: dynamo.tableName,
    SWITCHYARD_PROVIDER_SECRET_ID: SECRET_ID,
    SWITCHYARD_CATALOG_JSON: JSON.stringify(catalog),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: path.join(configDirectory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(configDirectory, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});

afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await simulator.close();
  await new Promise<void>((resolve) => secrets.close(() => resolve()));
  await dynamo.close();
  rmSync(configDirectory, { recursive: true, force: true });
});

describe('the health-probe function', () => {
  it('probes every endpoint and records its health in the table', async () => {
    const { handler } = (await import('../../functions/health-probe/index.ts')) as { handler: () => Promise<{ ok: number; failed: number; skipped: number }> };

    const summary = await handler();

    expect(summary).toEqual({ ok: 1, failed: 1, skipped: 1 });
    expect(secretReads).toBe(1);
    const records = await createHealthStore({ client: dynamo.client, name: dynamo.tableName }).getMany(['probe/down@down', 'probe/healthy@healthy', 'probe/keyless@keyless'], Date.now());
    const byEndpoint = new Map(records.map((record) => [record.endpointId, record]));
    expect([...byEndpoint.keys()].sort()).toEqual(['probe/down@down', 'probe/healthy@healthy']);
    expect(byEndpoint.get('probe/healthy@healthy')?.latencySamples).toHaveLength(1);
    expect(byEndpoint.get('probe/down@down')?.lastFailureAt).toBeGreaterThan(0);

    // A second run, a minute later on a warm container: the secret is still cached.
    await handler();
    expect(secretReads).toBe(1);
  });
});
