// The Lambda-side loader through the real AWS SDK client, against a tiny
// loopback stand-in for Secrets Manager that speaks its JSON protocol.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CredentialsSecretError,
  secretLoader,
  secretsManagerCredentials,
} from '../../../functions/shared/credentials.ts';

interface FakeSecretsManager {
  client: SecretsManagerClient;
  requests: { headers: IncomingHttpHeaders; body: unknown }[];
  /** The SecretString stored per secret id. */
  secrets: Map<string, string>;
  close(): Promise<void>;
}

async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, string>();
  const requests: FakeSecretsManager['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string };
      requests.push({ headers: req.headers, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requests.length}` });
        res.end(JSON.stringify(payload));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'UnknownOperationException', message: 'Unsupported operation' });
        return;
      }
      const secret = body.SecretId === undefined ? undefined : secrets.get(body.SecretId);
      if (secret === undefined) {
        reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${body.SecretId}-AbCdEf`,
        Name: body.SecretId,
        SecretString: secret,
        VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1759104000.123,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    client,
    requests,
    secrets,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let fake: FakeSecretsManager | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const SECRET_ID = 'switchyard/provider-credentials';

describe('Secrets Manager provider credentials', () => {
  it('reads the JSON map through GetSecretValue', async () => {
    fake = await startFakeSecretsManager();
    fake.secrets.set(SECRET_ID, JSON.stringify({ OPENAI_API_KEY: 'sk-live-1', ANTHROPIC_API_KEY: 'sk-ant-1' }));
    const credentials = secretsManagerCredentials({ secretId: SECRET_ID, client: fake.client, ttlMs: 60_000, now: () => 0 });

    expect(await credentials.get('OPENAI_API_KEY')).toBe('sk-live-1');
    expect(await credentials.get('ANTHROPIC_API_KEY')).toBe('sk-ant-1');
    expect(await credentials.get('GROQ_API_KEY')).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toEqual({ SecretId: SECRET_ID });
    expect(fake.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('makes one round trip for 200 concurrent gets, and another after refresh()', async () => {
    fake = await startFakeSecretsManager();
    fake.secrets.set(SECRET_ID, JSON.stringify({ OPENAI_API_KEY: 'sk-before' }));
    const credentials = secretsManagerCredentials({ secretId: SECRET_ID, client: fake.client, ttlMs: 60_000, now: () => 0 });

    const before = await Promise.all(Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY')));
    fake.secrets.set(SECRET_ID, JSON.stringify({ OPENAI_API_KEY: 'sk-rotated' }));
    credentials.refresh();
    const after = await Promise.all(Array.from({ length: 200 }, () => credentials.get('OPENAI_API_KEY')));

    expect(new Set(before)).toEqual(new Set(['sk-before']));
    expect(new Set(after)).toEqual(new Set(['sk-rotated']));
    expect(fake.requests).toHaveLength(2);
  });

  it('reads the secret again once the ttl has passed', async () => {
    fake = await startFakeSecretsManager();
    fake.secrets.set(SECRET_ID, JSON.stringify({ OPENAI_API_KEY: 'sk-1' }));
    let now = 0;
    const credentials = secretsManagerCredentials({ secretId: SECRET_ID, client: fake.client, ttlMs: 1_000, now: () => now });

    await credentials.get('OPENAI_API_KEY');
    now = 999;
    await credentials.get('OPENAI_API_KEY');
    now = 1_000;
    await credentials.get('OPENAI_API_KEY');

    expect(fake.requests).toHaveLength(2);
  });

  it('names the secret, not its value, when the secret is not JSON', async () => {
    fake = await startFakeSecretsManager();
    fake.secrets.set(SECRET_ID, 'sk-live-not-json-SECRETVALUE');
    const load = secretLoader({ secretId: SECRET_ID, client: fake.client });

    const error: unknown = await load().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect(String((error as Error).message)).toContain(SECRET_ID);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('SECRETVALUE');
    expect((error as Error).cause).toBeUndefined();
  });

  it('names the offending keys, not their values, when the map holds non-strings', async () => {
    fake = await startFakeSecretsManager();
    fake.secrets.set(SECRET_ID, JSON.stringify({ OPENAI_API_KEY: 'sk-SECRETVALUE', PORT: 8080 }));
    const load = secretLoader({ secretId: SECRET_ID, client: fake.client });

    const error = (await load().catch((caught: unknown) => caught)) as Error;

    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect(error.message).toContain('PORT');
    expect(error.message).not.toContain('SECRETVALUE');
  });

  it('reports a missing secret by name, keeping the SDK error as the cause', async () => {
    fake = await startFakeSecretsManager();
    const load = secretLoader({ secretId: 'switchyard/missing', client: fake.client });

    const error = (await load().catch((caught: unknown) => caught)) as Error;

    expect(error).toBeInstanceOf(CredentialsSecretError);
    expect(error.message).toBe('Could not read the provider credentials secret switchyard/missing');
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });
});
