// AWS Signature Version 4 as a `fetch` wrapper: the adapter builds plain
// requests and never sees keys; this signs each one just before it leaves.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Fetch } from '../types.ts';

export type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface SigningFetchOptions {
  fetch: Fetch;
  credentials: AwsCredentialIdentityProvider;
  region: string;
  service: string;
  /** Signing time; the system clock when absent. */
  now?: () => number;
}

export function createSigningFetch(options: SigningFetchOptions): Fetch {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: Sha256,
  });
  return async (input, init) => {
    const url = new URL(input);
    const { method } = init;
    const body = method === 'GET' || method === 'HEAD' || init.body === undefined ? undefined : typeof init.body === 'string' ? new TextEncoder().encode(init.body) : init.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers)) headers[name.toLowerCase()] = value;
    // SigV4 signs the Host header; the client derives the same value from the URL.
    headers.host = url.host;
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const signed = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        query,
        headers,
        body,
      },
      options.now === undefined ? undefined : { signingDate: new Date(options.now()) },
    );
    const outgoing: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      if (name.toLowerCase() !== 'host') outgoing[name.toLowerCase()] = value;
    }
    return options.fetch(url.toString(), { method, headers: outgoing, body, ...(init.signal === undefined ? {} : { signal: init.signal }) });
  };
}
