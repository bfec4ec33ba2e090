// GatewayErrors in Anthropic's error shape, with the gateway's own status:
// {"type":"error","error":{"type","message"},"request_id"} (as OpenRouter's
// Messages door answers, with the generation id as request_id).
// https://docs.anthropic.com/en/api/errors
import type { ErrorType, GatewayError } from '../../api/errors.ts';
import { errorResponse, type Reply } from '../../api/reply.ts';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

const TYPE_OF: Record<ErrorType, AnthropicErrorType> = {
  invalid_request: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  max_tokens_exceeded: 'invalid_request_error',
  content_policy_violation: 'invalid_request_error',
  authentication: 'authentication_error',
  // Anthropic's own type for a 402.
  payment_required: 'billing_error',
  permission_denied: 'permission_error',
  not_found: 'not_found_error',
  payload_too_large: 'request_too_large',
  rate_limit_exceeded: 'rate_limit_error',
  timeout: 'timeout_error',
  provider_overloaded: 'overloaded_error',
  provider_unavailable: 'api_error',
  server: 'api_error',
};

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id: string | null;
}

/** The body; 5xx messages are the masked public ones, never an upstream's words. */
export function anthropicErrorBody(error: GatewayError, requestId: string | null): AnthropicErrorBody {
  return { type: 'error', error: { type: TYPE_OF[error.type], message: error.publicMessage }, request_id: requestId };
}

/** The reply for a failure before any byte was sent: the error's own status and headers (Retry-After, X-RateLimit-*). */
export function anthropicErrorReply(error: GatewayError, headers: Record<string, string>): Reply {
  const reply = errorResponse(error, headers);
  return { ...reply, body: JSON.stringify(anthropicErrorBody(error, headers['x-generation-id'] ?? null)) };
}
