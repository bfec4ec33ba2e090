import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { createSigningFetch } from '../../../lib/providers/bedrock/signing-fetch.ts';
import { replyWith, startLoopbackUpstream, type LoopbackUpstream, type ReceivedRequest } from '../../support/loopback-upstream.ts';
import { staticCredentials } from './support.ts';

let upstream: LoopbackUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const FIXED_NOW = Date.UTC(2025, 8, 29, 12, 30, 45);

/** Signs what the server actually received, the way AWS checks it, and returns the Authorization it should carry. */
async function expectedAuthorization(received: ReceivedRequest, port: number): Promise<string> {
  const authorization = String(received.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(received.headers[name]);
  const url = new URL(received.url, `http://127.0.0.1:${port}`);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const amzDate = String(received.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({ credentials: staticCredentials, region: 'us-east-1', service: 'bedrock', sha256: Sha256 });
  const signed = await signer.sign(
    { method: received.method, protocol: 'http:', hostname: '127.0.0.1', port, path: url.pathname, query, headers, body: received.body },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

describe('SigV4 signing fetch', () => {
  it('signs what actually goes on the wire: host, encoded path, query, headers and body', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, '{}'));
    const port = Number(new URL(upstream.url).port);
    const fetch = createSigningFetch({ fetch: globalThis.fetch, credentials: staticCredentials, region: 'us-east-1', service: 'bedrock' });

    const response = await fetch(`${upstream.url}/model/${encodeURIComponent('us.anthropic.claude-haiku-4-5-20251001-v1:0')}/converse?trace=on`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"messages":[{"role":"user","content":[{"text":"Grüße"}]}]}',
    });
    await response.text();

    const received = upstream.requests[0];
    if (received === undefined) throw new Error('no request reached the upstream');
    expect(received.url).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse?trace=on');
    expect(received.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=/);
    expect(received.headers.authorization).toMatch(/SignedHeaders=[^,]*host[^,]*x-amz-date/);
    expect(received.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(received.headers['x-amz-security-token']).toBe('session-token-example');
    expect(received.headers.authorization).toBe(await expectedAuthorization(received, port));
  });

  it('signs at the time its clock gives', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, '{}'));
    const fetch = createSigningFetch({
      fetch: globalThis.fetch,
      credentials: staticCredentials,
      region: 'eu-central-1',
      service: 'bedrock',
      now: () => FIXED_NOW,
    });

    await (await fetch(`${upstream.url}/model/m/converse`, { method: 'POST', headers: {}, body: '{}' })).text();

    expect(upstream.requests[0]?.headers['x-amz-date']).toBe('20250929T123045Z');
    expect(upstream.requests[0]?.headers.authorization).toContain('Credential=AKIDEXAMPLE/20250929/eu-central-1/bedrock/aws4_request');
  });

  it('gives a different signature for a different body', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, '{}'));
    const fetch = createSigningFetch({ fetch: globalThis.fetch, credentials: staticCredentials, region: 'us-east-1', service: 'bedrock', now: () => FIXED_NOW });

    await (await fetch(`${upstream.url}/x`, { method: 'POST', headers: {}, body: '{"a":1}' })).text();
    await (await fetch(`${upstream.url}/x`, { method: 'POST', headers: {}, body: '{"a":2}' })).text();

    expect(upstream.requests[0]?.headers.authorization).not.toBe(upstream.requests[1]?.headers.authorization);
  });

  it('passes a failure to get credentials on without sending anything', async () => {
    upstream = await startLoopbackUpstream(replyWith(200, '{}'));
    const fetch = createSigningFetch({
      fetch: globalThis.fetch,
      credentials: () => Promise.reject(new Error('no role credentials')),
      region: 'us-east-1',
      service: 'bedrock',
    });

    await expect(fetch(`${upstream.url}/x`, { method: 'POST', headers: {}, body: '{}' })).rejects.toThrow('no role credentials');
    expect(upstream.requests).toHaveLength(0);
  });
});
