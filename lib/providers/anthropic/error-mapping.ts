// Anthropic's errors → GatewayErrors, from an error reply or an `error`
// stream event. https://docs.anthropic.com/en/api/errors
// Only invalid requests keep Anthropic's message: they tell the caller what
// to fix. Others get a message of ours, since Anthropic's can name our
// organisation and limits; 5xx bodies are never echoed.
import type { ProviderError } from '../provider-error.ts';
import { credentialRejected, parseRetryAfter, upstreamError, type ErrorReply } from '../upstream-http.ts';
import { errorBody, type AnthropicErrorDetail } from './wire-schemas.ts';

/** The HTTP status Anthropic uses for each error type; an `error` stream event has no status of its own. */
const STATUS_OF_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export interface AnthropicErrorInput {
  /** The upstream's HTTP status; derived from the error type for stream events. */
  status?: number;
  detail: AnthropicErrorDetail | undefined;
  provider: string;
  retryAfterMs?: number;
}

function anthropicError(input: AnthropicErrorInput): ProviderError {
  const code = input.detail?.type ?? undefined;
  const status = input.status ?? (code !== undefined ? STATUS_OF_TYPE[code] : undefined) ?? 500;
  const message = input.detail?.message ?? undefined;
  const common = { provider: input.provider, providerCode: code, retryAfterMs: input.retryAfterMs };
  // A body that is not Anthropic's envelope (a proxy's page) is classified by its status.
  const kind = code ?? Object.keys(STATUS_OF_TYPE).find((type) => STATUS_OF_TYPE[type] === status);
  switch (kind) {
    case 'invalid_request_error':
      return upstreamError({
        ...common,
        status,
        message: message ?? 'The provider refused the request as invalid',
        type: message !== undefined && /prompt is too long/i.test(message) ? 'context_length_exceeded' : 'invalid_request',
        retryable: false,
      });
    case 'request_too_large':
      return upstreamError({ ...common, status, message: message ?? 'Request is too large for the provider', type: 'payload_too_large', retryable: false });
    case 'not_found_error':
      return upstreamError({ ...common, status, message: message ?? 'Not found at the provider', type: 'not_found', retryable: false });
    case 'rate_limit_error':
      return upstreamError({ ...common, status, message: 'The provider is rate limiting requests', type: 'rate_limit_exceeded', retryable: true });
    case 'overloaded_error':
      return upstreamError({ ...common, status, type: 'provider_overloaded', retryable: true });
    case 'authentication_error':
    case 'permission_error':
    case 'billing_error':
      // The gateway's own credential or account is at fault, not the caller:
      // another provider may serve the request.
      return credentialRejected({ upstreamStatus: input.status, provider: input.provider, providerCode: code, retryAfterMs: input.retryAfterMs });
    default:
      // api_error, timeout_error and anything new: by status, without the upstream's words on 5xx.
      return upstreamError({ ...common, status, message: status < 500 ? message : undefined });
  }
}

/** An error reply from /v1/messages → the error the attempt fails with. */
export function mapErrorReply(reply: ErrorReply, provider: string): ProviderError {
  let detail: AnthropicErrorDetail | undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(reply.body));
    detail = parsed.success ? parsed.data.error : undefined;
  } catch {
    detail = undefined;
  }
  return anthropicError({ status: reply.status, detail, provider, retryAfterMs: parseRetryAfter(reply.headers) });
}

/** An `error` event inside a stream (HTTP 200 already sent): classified by its type alone. */
export function mapStreamError(detail: AnthropicErrorDetail, provider: string): ProviderError {
  return anthropicError({ detail, provider });
}
