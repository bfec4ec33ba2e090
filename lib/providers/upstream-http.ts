// What every adapter does with HTTP, in one place (vercel/ai's provider
// utilities): post a JSON body, turn a refused connection or an abort into a
// typed error, map an error reply through the wire's own mapping, read a JSON
// reply. No adapter calls `fetch` or reads a body loop of its own.
import type { ErrorType } from '../api/errors.ts';
import { ProviderError } from './provider-error.ts';
import type { Fetch, HeaderReader, UpstreamRequestInit, UpstreamResponse } from './types.ts';

/** Statuses another attempt may fix (DESIGN decision 7). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function errorTypeForStatus(status: number): ErrorType {
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 401) return 'authentication';
  if (status === 402) return 'payment_required';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 503 || status === 529) return 'provider_overloaded';
  return 'provider_unavailable';
}

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function parseRetryAfter(headers: HeaderReader, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface UpstreamErrorInput {
  status: number;
  provider: string;
  /** The upstream's message: shown to the caller on 4xx only. */
  message?: string;
  providerCode?: string;
  retryAfterMs?: number;
  /** Overrides the status-based classification (e.g. a 429 for an exhausted quota). */
  retryable?: boolean;
  type?: ErrorType;
}

/**
 * The error for an upstream error reply. The status the caller sees is the
 * upstream's for 4xx; upstream 5xx become 502 (503 when overloaded).
 */
export function upstreamError(input: UpstreamErrorInput): ProviderError {
  const type = input.type ?? errorTypeForStatus(input.status);
  const status = input.status >= 500 ? (type === 'provider_overloaded' ? 503 : 502) : input.status;
  return new ProviderError({
    status,
    type,
    message: input.message ?? `Provider returned error ${input.status}`,
    retryable: input.retryable ?? isRetryableStatus(input.status),
    provider: input.provider,
    providerCode: input.providerCode,
    retryAfterMs: input.retryAfterMs,
    upstreamStatus: input.status,
  });
}

export interface CredentialRejectedInput {
  /** What the upstream answered (401, 403, Gemini's 400 for a bad key…); undefined for an in-band exception. */
  upstreamStatus: number | undefined;
  provider: string;
  providerCode?: string;
  retryAfterMs?: number;
}

/**
 * The provider refused the gateway's own key, role or account. The caller did
 * nothing wrong: another endpoint may serve, and the secret is read again.
 */
export function credentialRejected(input: CredentialRejectedInput): ProviderError {
  return new ProviderError({
    status: 502,
    type: 'provider_unavailable',
    message: `Provider rejected the gateway's credentials${input.upstreamStatus === undefined ? '' : ` (${input.upstreamStatus})`}`,
    retryable: true,
    provider: input.provider,
    providerCode: input.providerCode,
    retryAfterMs: input.retryAfterMs,
    upstreamStatus: input.upstreamStatus,
    credentialRejected: true,
  });
}

/**
 * The connection failed or was cut: before the reply (`connect`) or while
 * reading it (`read`). Aborted → 408 (the attempt loop knows whether the
 * client left or the attempt timed out), otherwise 502. Retryable: before the
 * commit point another endpoint may serve; after it the loop ends the stream.
 */
export function transportFailure(cause: unknown, signal: AbortSignal | undefined, provider: string, stage: 'connect' | 'read'): ProviderError {
  if (signal?.aborted === true) {
    return new ProviderError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause });
  }
  return new ProviderError({
    status: 502,
    type: 'provider_unavailable',
    message: stage === 'connect' ? 'Could not reach the provider' : 'Connection to the provider was lost mid-reply',
    retryable: true,
    provider,
    cause,
  });
}

/** A reply (or a stream frame) after a 200 that cannot be read. Never echoes it: it may hold generated text. */
export function malformedReply(provider: string, what: string, cause?: unknown, retryable = true): ProviderError {
  return new ProviderError({ status: 502, type: 'provider_unavailable', message: `Provider sent ${what}`, retryable, provider, cause });
}

/** An error reply, read: what every wire's `mapErrorReply` takes. */
export interface ErrorReply {
  status: number;
  headers: HeaderReader;
  /** The reply body as text (possibly empty or not JSON), bounded. */
  body: string;
}

export type MapErrorReply = (reply: ErrorReply, provider: string) => ProviderError;

/** `fetch`, with failures to connect (and aborts) as typed errors. */
export async function sendUpstream(fetch: Fetch, url: string, init: UpstreamRequestInit, provider: string): Promise<UpstreamResponse> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw transportFailure(error, init.signal, provider, 'connect');
  }
}

export interface JsonPost {
  fetch: Fetch;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  provider: string;
}

/** POST a JSON body. Resolves with a 2xx reply; an error reply rejects with the wire's mapping of it. */
export async function postJson(post: JsonPost, mapErrorReply: MapErrorReply): Promise<UpstreamResponse> {
  const response = await sendUpstream(post.fetch, post.url, { method: 'POST', headers: post.headers, body: JSON.stringify(post.body), signal: post.signal }, post.provider);
  if (!response.ok) throw mapErrorReply({ status: response.status, headers: response.headers, body: await readErrorBody(response) }, post.provider);
  return response;
}

/** A 2xx reply's body as JSON; a broken body or broken JSON rejects with a retryable typed error. */
export async function readJson(response: UpstreamResponse, signal: AbortSignal, provider: string): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportFailure(error, signal, provider, 'read');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw malformedReply(provider, 'a reply that is not JSON', error);
  }
}

/** The body of an error reply as text, bounded, never thrown. */
export async function readErrorBody(response: UpstreamResponse, limit = 64 * 1024): Promise<string> {
  try {
    const text = await response.text();
    return text.length > limit ? text.slice(0, limit) : text;
  } catch {
    return '';
  }
}

/** Request headers for an upstream: the provider's own, then the adapter's; names lower-cased, later ones win. */
export function upstreamHeaders(...sets: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const set of sets) {
    if (set === undefined) continue;
    for (const [name, value] of Object.entries(set)) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** `path` under a provider's base URL, whatever trailing slashes the catalog gave it. */
export function upstreamUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
