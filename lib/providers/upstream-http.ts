// What every adapter does with HTTP: send, turn a refused connection or an
// abort into a typed error, and classify an error status (retryable or not).
import { GatewayError, type ErrorType } from '../api/errors.ts';
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
export function upstreamError(input: UpstreamErrorInput): GatewayError {
  const type = input.type ?? errorTypeForStatus(input.status);
  const status = input.status >= 500 ? (type === 'provider_overloaded' ? 503 : 502) : input.status;
  return new GatewayError({
    status,
    type,
    message: input.message ?? `Provider returned error ${input.status}`,
    retryable: input.retryable ?? isRetryableStatus(input.status),
    provider: input.provider,
    providerCode: input.providerCode,
    retryAfterMs: input.retryAfterMs,
    metadata: { upstream_status: input.status },
  });
}

/** `fetch`, with failures to connect (and aborts) as retryable GatewayErrors. */
export async function sendUpstream(fetch: Fetch, url: string, init: UpstreamRequestInit, provider: string): Promise<UpstreamResponse> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted === true) {
      throw new GatewayError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause: error });
    }
    throw new GatewayError({
      status: 502,
      type: 'provider_unavailable',
      message: 'Could not reach the provider',
      retryable: true,
      provider,
      cause: error,
    });
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
