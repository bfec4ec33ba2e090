// The contract every provider adapter keeps. An adapter knows one wire
// protocol: it turns a validated chat request into an upstream HTTP request,
// and the upstream reply (SSE, event stream or JSON) into canonical events.
import type { ChatRequest } from '../api/chat-request.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { StreamEvent } from '../streaming/events.ts';

import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { HeaderReader } from '../api/reply.ts';

export type { HeaderReader };

/** What an adapter sends upstream: a web `RequestInit` carries all of it. */
export interface UpstreamRequestInit {
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  signal?: AbortSignal;
}

/** What an adapter reads of the upstream's reply: a web `Response` is one. */
export interface UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeaderReader;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * The upstream client. The global `fetch` is one; the edges hand in one on
 * node:http that builds no web Request, Headers or Response (their first use
 * loads Node's whole fetch implementation, and each costs per call).
 */
export type Fetch = (url: string, init: UpstreamRequestInit) => Promise<UpstreamResponse>;

export interface ProviderCall {
  /** The caller's request, validated. `model`/`models`/`provider` are routing inputs, not upstream fields. */
  request: ChatRequest;
  /** The endpoint chosen for this attempt: upstream model id, provider, capabilities. */
  endpoint: Endpoint;
  /** Whether to ask the upstream for a stream. Adapters emit the same events either way. */
  stream: boolean;
  /** The output-token cap the gateway enforces (the caller's, or the endpoint's default). */
  maxTokens: number;
  /** The provider credential (API key), when the provider needs one. */
  credential: string | undefined;
  /** Aborted when the client goes away, or the attempt times out. */
  signal: AbortSignal;
  fetch: Fetch;
}

export interface ProviderAdapter {
  /**
   * Send the request. Resolves once the upstream answered with a success
   * status; rejects with a ProviderError (`retryable` set, `fault` for
   * routing) when it could not connect or answered with an error status. The events end with exactly one
   * `finish` or one `error` event; a stream that ends without a finish reason
   * ends with an `error` event (an upstream cut-off is never a clean finish).
   */
  send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>>;
}

/** What an adapter factory may need beside the call: Bedrock signs with the gateway's own AWS identity. */
export interface AdapterOptions {
  /** The gateway's AWS identity (the function's role on Lambda, the default provider chain locally). */
  awsCredentials?: AwsCredentialIdentityProvider;
  /** Signing clock; the system clock when absent. */
  now?: () => number;
}

/** Every provider folder's `adapter.ts` exports one of these as `createAdapter`. */
export type CreateAdapter = (options?: AdapterOptions) => ProviderAdapter;

/** Every `embedding-adapter.ts` exports one of these as `createEmbeddingAdapter`. */
export type CreateEmbeddingAdapter = (options?: AdapterOptions) => EmbeddingAdapter;

/** Upstream provider credentials by name (DESIGN decision 11). */
export interface Credentials {
  /** The credential named in the catalog (`OPENAI_API_KEY`), or undefined when none is configured. */
  get(name: string): Promise<string | undefined>;
  /** Forget cached values: called after an upstream 401 so the next `get` reads the source again. */
  refresh(): void;
}

/** One adapter per wire kind. */
export type Adapters = Readonly<Record<import('../catalog/schema.ts').WireKind, ProviderAdapter>>;

/** OpenRouter's `input_type` hint: what the embedded text is for (Cohere's `input_type`, Gemini's `taskType`). */
export type EmbeddingInputType = 'search_document' | 'search_query' | 'classification' | 'clustering';

/** One embeddings request to one endpoint. */
export interface EmbeddingCall {
  /** The texts to embed, in order; none is empty. */
  inputs: readonly string[];
  /** The vectors' length the caller asked for, already checked against the endpoint's capability. */
  dimensions: number | undefined;
  inputType: EmbeddingInputType | undefined;
  /** The caller's end-user id, passed where the upstream takes one. */
  user: string | undefined;
  endpoint: Endpoint;
  credential: string | undefined;
  /** Aborted when the client goes away, or the attempt times out. */
  signal: AbortSignal;
  fetch: Fetch;
}

export interface EmbeddingResult {
  /** One vector per input, in the inputs' order. */
  vectors: number[][];
  /** Input tokens as the provider counted them; undefined when it reports none. */
  promptTokens: number | undefined;
}

export interface EmbeddingAdapter {
  /**
   * Embed every input, in as many upstream calls as the wire needs. Rejects
   * with a GatewayError (`retryable` set) when it could not connect, the
   * upstream answered with an error status, or the reply was unreadable.
   */
  embed(call: EmbeddingCall): Promise<EmbeddingResult>;
}

/** The embedding adapter of each wire kind that has one. */
export type EmbeddingAdapters = Readonly<Partial<Record<import('../catalog/schema.ts').WireKind, EmbeddingAdapter>>>;
