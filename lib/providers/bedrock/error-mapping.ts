// Bedrock errors as GatewayErrors. The error type travels in the
// `x-amzn-ErrorType` header (`ThrottlingException:http://internal.amazon.com/…`),
// the body is only `{"message": "…"}`; inside a stream, the same types arrive
// as exception events (`throttlingException`).
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
import type { ErrorType } from '../../api/errors.ts';
import { ProviderError } from '../provider-error.ts';
import { credentialRejected, parseRetryAfter, upstreamError, type ErrorReply } from '../upstream-http.ts';
import { errorBody } from './wire-schemas.ts';

type ErrorClass = { status: number; type: ErrorType; retryable: boolean } | 'credential-rejected';

const rejectedCredentials: ErrorClass = 'credential-rejected';

const errorClasses: Record<string, ErrorClass> = {
  ThrottlingException: { status: 429, type: 'rate_limit_exceeded', retryable: true },
  // An account quota of this region: another endpoint may still have room.
  ServiceQuotaExceededException: { status: 429, type: 'rate_limit_exceeded', retryable: true },
  ServiceUnavailableException: { status: 503, type: 'provider_overloaded', retryable: true },
  ModelNotReadyException: { status: 503, type: 'provider_overloaded', retryable: true },
  InternalServerException: { status: 502, type: 'provider_unavailable', retryable: true },
  ModelErrorException: { status: 502, type: 'provider_unavailable', retryable: true },
  ModelStreamErrorException: { status: 502, type: 'provider_unavailable', retryable: true },
  ModelTimeoutException: { status: 408, type: 'timeout', retryable: true },
  ValidationException: { status: 400, type: 'invalid_request', retryable: false },
  ResourceNotFoundException: { status: 404, type: 'not_found', retryable: false },
  // Bedrock refusing the gateway's own identity (role, keys, model access) is
  // not the caller's fault: it is an unavailable provider, and another may serve.
  AccessDeniedException: rejectedCredentials,
  UnrecognizedClientException: rejectedCredentials,
  InvalidSignatureException: rejectedCredentials,
  IncompleteSignatureException: rejectedCredentials,
  MissingAuthenticationTokenException: rejectedCredentials,
  ExpiredTokenException: rejectedCredentials,
};

/** `ThrottlingException` from `ThrottlingException:http://…`, `com.amazon.coral#ThrottlingException` or `throttlingException`. */
export function normalizeErrorType(raw: string): string {
  const withoutNamespace = raw.slice(raw.lastIndexOf('#') + 1);
  const name = withoutNamespace.split(':')[0]?.trim() ?? '';
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export interface BedrockErrorInput {
  /** The raw error or exception type, when Bedrock named one. */
  errorType: string | undefined;
  message: string | undefined;
  provider: string;
  /** The HTTP status of an error reply; absent for exceptions inside a stream. */
  httpStatus?: number;
  retryAfterMs?: number;
}

function bedrockError(input: BedrockErrorInput): ProviderError {
  const errorType = input.errorType === undefined ? undefined : normalizeErrorType(input.errorType);
  const errorClass =
    (errorType === undefined ? undefined : errorClasses[errorType]) ??
    (input.httpStatus === 401 || input.httpStatus === 403 ? rejectedCredentials : undefined);
  if (errorClass === undefined) {
    return upstreamError({
      status: input.httpStatus ?? 502,
      provider: input.provider,
      message: input.message,
      providerCode: errorType,
      retryAfterMs: input.retryAfterMs,
    });
  }
  if (errorClass === 'credential-rejected') {
    return credentialRejected({ upstreamStatus: input.httpStatus, provider: input.provider, providerCode: errorType, retryAfterMs: input.retryAfterMs });
  }
  const type = errorClass.type === 'invalid_request' && isContextLengthMessage(input.message) ? 'context_length_exceeded' : errorClass.type;
  return new ProviderError({
    status: errorClass.status,
    type,
    // Upstream text is for the caller's own mistakes only; 5xx stay generic.
    message: errorClass.status < 500 && input.message ? input.message : `Provider returned ${errorType ?? 'an error'}`,
    retryable: errorClass.retryable,
    provider: input.provider,
    providerCode: errorType,
    retryAfterMs: input.retryAfterMs,
    upstreamStatus: input.httpStatus,
  });
}

function isContextLengthMessage(message: string | undefined): boolean {
  return message !== undefined && /too long|context window|context length/i.test(message);
}

/** A Converse, ConverseStream or InvokeModel error reply → the error the attempt fails with. */
export function mapErrorReply(reply: ErrorReply, provider: string): ProviderError {
  let message: string | undefined;
  let bodyType: string | undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(reply.body));
    if (parsed.success) {
      message = parsed.data.message ?? parsed.data.Message ?? undefined;
      const declared = (parsed.data as Record<string, unknown>).__type;
      if (typeof declared === 'string') bodyType = declared;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone classifies it.
  }
  return bedrockError({
    errorType: reply.headers.get('x-amzn-errortype') ?? bodyType,
    message,
    provider,
    httpStatus: reply.status,
    retryAfterMs: parseRetryAfter(reply.headers),
  });
}

/** An exception event inside a stream (`throttlingException`): classified by its name. */
export function mapStreamError(name: string, message: string | undefined, provider: string): ProviderError {
  return bedrockError({ errorType: name, message, provider });
}
