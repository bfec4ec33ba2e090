// Typed errors for every failure a caller can see. Each renders its own
// OpenRouter-style envelope: {"error":{"code","message","metadata"}}.
// 4xx messages explain what the caller did wrong; 5xx never carry upstream
// bodies, keys or stack traces (the `cause` stays on the server side).

/** OpenRouter's `metadata.error_type` vocabulary (openrouter-api.md §5.3). */
export type ErrorType =
  | 'invalid_request'
  | 'context_length_exceeded'
  | 'max_tokens_exceeded'
  | 'authentication'
  | 'permission_denied'
  | 'payment_required'
  | 'not_found'
  | 'timeout'
  | 'payload_too_large'
  | 'rate_limit_exceeded'
  | 'provider_overloaded'
  | 'provider_unavailable'
  | 'content_policy_violation'
  | 'server';

export interface GatewayErrorOptions {
  status: number;
  type: ErrorType;
  message: string;
  /** Whether another attempt (another endpoint, or later) may succeed. */
  retryable?: boolean;
  /** Display name of the provider the error came from, when it came from one. */
  provider?: string;
  /** The upstream's own error code (`rate_limit_error`, `RESOURCE_EXHAUSTED`, …). */
  providerCode?: string;
  /** Milliseconds the upstream asked us to wait (`retry-after`). */
  retryAfterMs?: number;
  /** Extra fields for `error.metadata`; must never hold secrets or prompt text. */
  metadata?: Record<string, unknown>;
  /** Extra response headers (Retry-After, X-RateLimit-*). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly provider: string | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly metadata: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(options: GatewayErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.retryable = options.retryable ?? false;
    this.provider = options.provider;
    this.providerCode = options.providerCode;
    this.retryAfterMs = options.retryAfterMs;
    this.metadata = options.metadata ?? {};
    this.headers = options.headers ?? {};
  }

  /** The message a client may see: 5xx internals are masked. */
  get publicMessage(): string {
    return this.status >= 500 && this.provider !== undefined
      ? `Provider returned error (${this.provider})`
      : this.message;
  }

  /** The `error` object of the wire envelope. */
  toWire(): { code: number; message: string; metadata: Record<string, unknown> } {
    const metadata: Record<string, unknown> = { error_type: this.type, ...this.metadata };
    if (this.provider !== undefined) metadata.provider_name = this.provider;
    // OpenRouter omits provider_code on 500-class errors (openrouter-api.md §4.2).
    if (this.providerCode !== undefined && this.status < 500) metadata.provider_code = this.providerCode;
    if (this.retryAfterMs !== undefined) metadata.retry_after_seconds = Math.ceil(this.retryAfterMs / 1000);
    return { code: this.status, message: this.publicMessage, metadata };
  }

  toResponseBody(): string {
    return JSON.stringify({ error: this.toWire() });
  }
}

export const invalidRequest = (message: string, metadata?: Record<string, unknown>): GatewayError =>
  new GatewayError({ status: 400, type: 'invalid_request', message, metadata });

export const notFound = (message: string, metadata?: Record<string, unknown>): GatewayError =>
  new GatewayError({ status: 404, type: 'not_found', message, metadata });

export const unauthorized = (message: string): GatewayError =>
  new GatewayError({ status: 401, type: 'authentication', message });

export const forbidden = (message: string, metadata?: Record<string, unknown>): GatewayError =>
  new GatewayError({ status: 403, type: 'permission_denied', message, metadata });

export const paymentRequired = (message: string, metadata?: Record<string, unknown>): GatewayError =>
  new GatewayError({ status: 402, type: 'payment_required', message, metadata });

/** Any thrown value as a GatewayError; unknown values become a masked 500. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError({ status: 500, type: 'server', message: 'Internal error', cause: error });
}

/** A cause as a log may show it: its class and message, never its data. */
export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause;
}
