// Upstreams for the providers end-to-end tests: a recording proxy in front
// of the simulator (so a test can read the exact body each wire received),
// the local gateway with short backoffs, and the static AWS identity the
// Bedrock adapter signs with.
import { vi } from 'vitest';
import { serve } from '../../cli/serve.ts';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { defaultSettings } from '../../lib/settings.ts';
import { startTestGateway } from './local-gateway.ts';

export interface ProxiedRequest {
  /** The first path segment: the simulated provider's id. */
  provider: string;
  /** Path and query after the provider id, as the adapter built them. */
  path: string;
  headers: Headers;
  body: unknown;
}

export interface RecordingProxy {
  url: string;
  received: ProxiedRequest[];
  /** Where to forward (the simulator's address, known only once the gateway runs). */
  forwardTo(target: string): void;
  /** The catalog base URL that routes a provider's requests through the proxy. */
  baseUrlOf(providerId: string): string;
  close(): Promise<void>;
}

// Hop-by-hop headers describe one connection, not the message.
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

export async function startRecordingProxy(): Promise<RecordingProxy> {
  const received: ProxiedRequest[] = [];
  let target: string | undefined;
  const server = await serve(async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const [, provider = '', ...rest] = url.pathname.split('/');
    received.push({ provider, path: `/${rest.join('/')}${url.search}`, headers: request.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
    if (target === undefined) return new Response('the recording proxy has no target yet', { status: 502 });
    const headers = new Headers(request.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    const upstream = await fetch(`${target}${url.pathname}${url.search}`, { method: request.method, headers, body: text === '' ? undefined : text, signal: request.signal });
    const replyHeaders = new Headers(upstream.headers);
    for (const name of HOP_BY_HOP) replyHeaders.delete(name);
    return new Response(upstream.body, { status: upstream.status, headers: replyHeaders });
  });
  return {
    url: server.url,
    received,
    forwardTo(next) {
      target = next;
    },
    baseUrlOf: (providerId) => `${server.url}/${providerId}`,
    close: () => server.close(),
  };
}

/** The local gateway with a catalog document and backoffs short enough for fallback tests. */
export function startProvidersGateway(catalogDocument: unknown, env: Record<string, string> = {}): Promise<LocalGateway> {
  return startTestGateway({
    catalogDocument,
    env,
    settings: { attempts: { ...defaultSettings.attempts, firstEventTimeoutMs: 5_000, backoffBaseMs: 1, backoffMaxMs: 5 } },
  });
}

export const STATIC_AWS_ACCESS_KEY_ID = 'AKIDSWITCHYARDE2E';

/**
 * The local gateway's Bedrock adapter signs with the default AWS provider
 * chain; static keys in this process's environment are the first link it
 * tries. No profile and no instance metadata, so nothing leaves loopback.
 * Undo with `vi.unstubAllEnvs()`.
 */
export function stubStaticAwsCredentials(): void {
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ACCESS_KEY_ID', STATIC_AWS_ACCESS_KEY_ID);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'switchyard-e2e-static-secret-key');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
}
