// One usage record per request, failed ones included (DESIGN decision 12).
// Never prompt or completion text. Its fields are the columns of the Glue
// table (infra/) and of the local DuckDB queries: snake_case, flat, typed.

export interface UsageAttempt {
  /** `<model id>@<tag>` */
  endpoint: string;
  provider: string;
  model: string;
  /** HTTP-like status of the attempt: 200, the upstream's error status, or 0 when it never connected. */
  status: number;
  /** `error_type` of the failure, or null on success. */
  error_code: string | null;
  latency_ms: number;
}

export interface UsageRecord {
  /** The generation id, `gen-…`; unique per request. */
  id: string;
  /** ISO 8601 UTC. */
  created_at: string;
  key_hash_prefix: string;
  account_id: string;
  /** The model the caller asked for. */
  model_requested: string;
  /** The model that served it, or null when nothing did. */
  model: string | null;
  /** Display name of the provider that served it, or null. */
  provider: string | null;
  endpoint: string | null;
  streamed: boolean;
  /** HTTP status sent to the client. */
  status: number;
  /** `error_type` of the final failure, or null. */
  error_code: string | null;
  /**
   * The message of a 5xx the gateway answered ("No endpoint … has a credential
   * configured here: set OPENAI_API_KEY …"), as the client saw it: the gateway's
   * own words, never an upstream body. Null otherwise: a 4xx's message may
   * quote the request.
   */
  error_message: string | null;
  finish_reason: string | null;
  native_finish_reason: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** What was charged, in integer micro-dollars. */
  cost_micros: number;
  /** Milliseconds from request to first content byte, or null. */
  ttfb_ms: number | null;
  latency_ms: number;
  attempts: UsageAttempt[];
  /** True when an attempt other than the first served the request. */
  fallback: boolean;
  cancelled: boolean;
  session_id: string | null;
  user: string | null;
}

export interface UsageSink {
  /** Accept a record. Must never lose it: a sink retries, then logs it as a last resort. */
  write(record: UsageRecord): Promise<void>;
  /** Deliver whatever is buffered. */
  flush(): Promise<void>;
}
