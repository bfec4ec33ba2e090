// Error replies from OpenAI-compatible hosts → GatewayError. The upstream's
// message reaches the caller only for 4xx that describe the caller's request;
// anything about our own account (bad key, no credit) or a server fault is
// reported without the upstream's words.
import type { ErrorType } from '../../api/errors.ts';
import type { ProviderError } from '../provider-error.ts';
import { credentialRejected, parseRetryAfter, upstreamError, type ErrorReply } from '../upstream-http.ts';
import { parseJson, upstreamErrorBody, type UpstreamErrorObject } from './wire-schemas.ts';

/** Upstream messages are explanations, not documents: keep them short. */
const MESSAGE_LIMIT = 1000;

/** An HTTP error reply → the error the attempt fails with. */
export function mapErrorReply(reply: ErrorReply, provider: string, now: number = Date.now()): ProviderError {
  return mapUpstreamError(reply.status, readErrorObject(reply.body), provider, parseRetryAfter(reply.headers, now));
}

/** An `error` object met inside a stream or a 200 reply: same mapping, status taken from its code. */
export function mapStreamError(error: UpstreamErrorObject | string, provider: string): ProviderError {
  const details = typeof error === 'string' ? { message: error } : error;
  const code = details.code;
  const status = typeof code === 'number' && code >= 400 && code <= 599 ? code : 500;
  return mapUpstreamError(status, details, provider, undefined);
}

function mapUpstreamError(
  status: number,
  details: UpstreamErrorObject,
  provider: string,
  retryAfterMs: number | undefined,
): ProviderError {
  const providerCode = codeOf(details);
  if (status === 401 || status === 402 || status === 403) {
    // The caller did nothing wrong: our provider key is invalid, lacks access
    // or its account has no credit. Another endpoint may work, and a 401
    // tells the caller of the adapter to re-read credentials.
    return credentialRejected({ upstreamStatus: status, provider, providerCode, retryAfterMs });
  }
  const message = status < 500 ? boundedMessage(details.message) : undefined;
  return upstreamError({
    status,
    provider,
    message,
    providerCode,
    retryAfterMs,
    type: refinedType(status, providerCode),
    // 429 stays retryable even for an exhausted quota: it is this provider
    // account's quota, and another endpoint has its own.
    retryable: status === 429 ? true : undefined,
  });
}

function readErrorObject(body: string): UpstreamErrorObject {
  const json = parseJson(body);
  if (!json.ok) return {};
  const parsed = upstreamErrorBody.safeParse(json.value);
  if (!parsed.success) return {};
  const { error } = parsed.data;
  if (typeof error === 'string') return { message: error };
  if (error != null) return error;
  return { message: parsed.data.message, type: parsed.data.type, code: parsed.data.code, param: parsed.data.param };
}

function codeOf(details: UpstreamErrorObject): string | undefined {
  if (typeof details.code === 'string' && details.code !== '') return details.code;
  if (typeof details.type === 'string' && details.type !== '') return details.type;
  return typeof details.code === 'number' ? String(details.code) : undefined;
}

function refinedType(status: number, providerCode: string | undefined): ErrorType | undefined {
  if (status !== 400) return undefined;
  if (providerCode === 'context_length_exceeded') return 'context_length_exceeded';
  if (providerCode === 'content_policy_violation' || providerCode === 'content_filter') return 'content_policy_violation';
  return undefined;
}

function boundedMessage(message: string | null | undefined): string | undefined {
  if (message == null || message.trim() === '') return undefined;
  return message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT)}…` : message;
}
