// Gemini error replies (google.rpc.Status: {error:{code,message,status,details}})
// → GatewayError. Gemini reports a bad API key as 400 INVALID_ARGUMENT with
// reason API_KEY_INVALID: that is the gateway's credential, not the caller's
// request, so it becomes a retryable 502 like any other provider-side fault.
// https://ai.google.dev/gemini-api/docs/troubleshooting
import type { ProviderError } from '../provider-error.ts';
import type { HeaderReader } from '../types.ts';
import { credentialRejected, parseRetryAfter, upstreamError, type ErrorReply } from '../upstream-http.ts';
import { errorBody, type RpcStatus } from './wire-schemas.ts';

const errorInfoType = 'type.googleapis.com/google.rpc.ErrorInfo';
const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';

/** Reasons that mean our key or project is unusable, whatever the status says. */
const credentialReasons = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED']);

/** An error reply → the error the attempt fails with. */
export function mapErrorReply(reply: ErrorReply, provider: string): ProviderError {
  return geminiError({ httpStatus: reply.status, status: parseRpcStatus(reply.body), provider, headers: reply.headers });
}

/** An rpc Status sent inside a stream (or a 200 reply): its own code is the status. */
export function mapStreamError(status: RpcStatus, provider: string): ProviderError {
  return geminiError({ httpStatus: status.code ?? 500, status, provider });
}

/** The rpc Status in an error reply body, or undefined when it is not one. */
export function parseRpcStatus(body: string): RpcStatus | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  // Some Google front ends wrap the Status in a one-element array.
  const parsed = errorBody.safeParse(Array.isArray(json) ? json[0] : json);
  return parsed.success ? parsed.data.error : undefined;
}

function detail(status: RpcStatus | undefined, type: string): Record<string, unknown> | undefined {
  return status?.details?.find((entry) => entry['@type'] === type);
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON form: "34.4s". */
export function retryDelayMs(status: RpcStatus | undefined): number | undefined {
  const delay = detail(status, retryInfoType)?.retryDelay;
  if (typeof delay !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return match === null ? undefined : Math.round(Number(match[1]) * 1000);
}

export interface GeminiErrorInput {
  /** The HTTP status of the reply, or the Status code of an error sent inside a stream. */
  httpStatus: number;
  status: RpcStatus | undefined;
  provider: string;
  headers?: HeaderReader;
}

function geminiError({ httpStatus, status, provider, headers }: GeminiErrorInput): ProviderError {
  const code = status?.status ?? undefined;
  const reason = detail(status, errorInfoType)?.reason;
  const credentialProblem =
    httpStatus === 401 ||
    httpStatus === 403 ||
    (typeof reason === 'string' && credentialReasons.has(reason)) ||
    // "User location is not supported", "enable billing": the deployment's problem, not the request's.
    (httpStatus === 400 && code === 'FAILED_PRECONDITION');
  if (credentialProblem) {
    return credentialRejected({ upstreamStatus: httpStatus, provider, providerCode: code });
  }
  const retryAfterMs = retryDelayMs(status) ?? (headers !== undefined ? parseRetryAfter(headers) : undefined);
  const upstreamMessage = status?.message ?? undefined;
  return upstreamError({
    status: httpStatus,
    provider,
    providerCode: code,
    retryAfterMs,
    // 5xx bodies are never echoed, not even into our own logs.
    message: httpStatus < 500 && upstreamMessage !== undefined ? upstreamMessage : `Provider returned error ${httpStatus}${code !== undefined ? ` (${code})` : ''}`,
    type: httpStatus === 400 && isContextLengthMessage(upstreamMessage) ? 'context_length_exceeded' : undefined,
  });
}

function isContextLengthMessage(message: string | undefined): boolean {
  return message !== undefined && /input token count.*exceeds/i.test(message);
}
