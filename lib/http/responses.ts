import { asGatewayError, type GatewayError } from '../api/errors.ts';
import type { Reply } from './reply.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The OpenRouter error envelope, with the error's own headers (Retry-After, X-RateLimit-*). */
export function errorResponse(error: GatewayError, headers: Record<string, string> = {}): Reply {
  const extra: Record<string, string> = { ...error.headers, ...headers };
  if (error.retryAfterMs !== undefined && extra['retry-after'] === undefined && (error.status === 429 || error.status === 503)) {
    extra['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  return { status: error.status, headers: { ...JSON_HEADERS, ...extra }, body: error.toResponseBody() };
}

export function responseForThrown(thrown: unknown, log: (entry: Record<string, unknown>) => void, headers: Record<string, string> = {}): Reply {
  const error = asGatewayError(thrown);
  if (error.status >= 500) {
    // The cause stays here: never in the response.
    log({ level: 'error', message: error.message, type: error.type, cause: describeCause(error.cause) });
  }
  return errorResponse(error, headers);
}

export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause;
}
