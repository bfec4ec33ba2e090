// The attempt loop: the one place that owns the commit point (DESIGN
// decision 7, STYLE point 7). Endpoints of the plan are tried in order until
// one produces its first content event. Before that, a retryable failure
// moves on to the next endpoint after a jittered backoff; a non-retryable one
// ends the loop. Once an attempt has committed, its remaining events belong to
// the caller and no other endpoint is ever tried.
import type { ChatRequest } from '../api/chat-request.ts';
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { Settings } from '../settings.ts';
import { isContentEvent, type StreamEvent } from '../streaming/events.ts';
import { faultOf } from '../providers/provider-error.ts';
import type { Adapters, Credentials, Fetch } from '../providers/types.ts';

export interface AttemptRecord {
  endpoint: Endpoint;
  /**
   * 200 for the committed attempt, the upstream or gateway status of a
   * failure, 0 when never sent; 499 (`client_closed`) when the client left
   * while it was in flight: who gave up is the client, not the provider.
   */
  status: number;
  errorType: string | null;
  /** Milliseconds from the start of the attempt to its first event or its failure. */
  latencyMs: number;
}

export interface AttemptObserver {
  success(endpoint: Endpoint, firstEventMs: number): void;
  failure(endpoint: Endpoint, error: GatewayError): void;
}

export interface AttemptDeps {
  adapters: Adapters;
  credentials: Credentials;
  fetch: Fetch;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  policy: Settings['attempts'];
  observer?: AttemptObserver;
}

export interface AttemptInput {
  request: ChatRequest;
  plan: readonly Endpoint[];
  /** The output cap to enforce at an endpoint. */
  maxTokensFor: (endpoint: Endpoint) => number;
  /** Whether to ask this endpoint for a stream (else one JSON reply: it commits only once whole). */
  streamFrom: (endpoint: Endpoint) => boolean;
  /** Aborted when the client goes away or the request's deadline passes. */
  signal: AbortSignal;
}

interface CommittedAttempts {
  kind: 'committed';
  endpoint: Endpoint;
  /** Events up to and including the first content event. */
  head: StreamEvent[];
  /** The rest of the committed attempt's events. */
  rest: AsyncIterator<StreamEvent>;
  attempts: AttemptRecord[];
  /** Aborts the committed upstream request (client gone, or it failed). */
  abort: () => void;
  /** Lets go of a committed request that finished: its connection stays reusable. */
  release: () => void;
  committedAt: number;
}

interface FailedAttempts {
  kind: 'failed';
  error: GatewayError;
  attempts: AttemptRecord[];
}

export type AttemptsResult = (CommittedAttempts | FailedAttempts) & {
  /** The request's signal (`AttemptInput.signal`): the reply reads from it whether the client went away. */
  signal: AbortSignal;
};

export async function runAttempts(input: AttemptInput, deps: AttemptDeps): Promise<AttemptsResult> {
  const outcome = await tryInTurn(input.plan, input.signal, (endpoint, credential) => attempt(endpoint, credential, input, deps), deps);
  if (outcome.kind === 'failed') return { ...outcome, signal: input.signal };
  const { value, ...committed } = outcome;
  return { ...committed, ...value, signal: input.signal };
}

// ── The loop over the plan, shared by every kind of attempt (chat's stream
// of events, embeddings' vectors): the credential, the attempt records, the
// health reports, the backoff and when to stop. What one attempt does is the
// caller's `TryEndpoint`. ──────────────────────────────────────────────────

/** One endpoint tried: committed with what it produced, or failed. */
export type EndpointOutcome<T> =
  | { kind: 'committed'; value: T; latencyMs: number }
  | { kind: 'failed'; error: GatewayError; latencyMs: number; countsAgainstHealth: boolean };

/** Tries one endpoint, with its provider's credential (read by the loop). */
export type TryEndpoint<T> = (endpoint: Endpoint, credential: string | undefined) => Promise<EndpointOutcome<T>>;

export type InTurn<T> = { kind: 'committed'; endpoint: Endpoint; value: T; attempts: AttemptRecord[]; committedAt: number } | FailedAttempts;

export type LoopDeps = Pick<AttemptDeps, 'credentials' | 'now' | 'random' | 'sleep' | 'policy' | 'observer'>;

export async function tryInTurn<T>(plan: readonly Endpoint[], signal: AbortSignal, tryEndpoint: TryEndpoint<T>, deps: LoopDeps): Promise<InTurn<T>> {
  const attempts: AttemptRecord[] = [];
  let lastError: GatewayError | undefined;
  const planned = plan.slice(0, deps.policy.maxAttempts);
  for (let index = 0; index < planned.length; index += 1) {
    const endpoint = planned[index] as Endpoint;
    if (signal.aborted) return { kind: 'failed', error: clientGone(), attempts };
    const credential = await credentialOf(endpoint, deps);
    const outcome = credential.kind === 'failed' ? credential : await tryEndpoint(endpoint, credential.value);
    if (outcome.kind === 'committed') {
      attempts.push({ endpoint, status: 200, errorType: null, latencyMs: outcome.latencyMs });
      deps.observer?.success(endpoint, outcome.latencyMs);
      return { kind: 'committed', endpoint, value: outcome.value, attempts, committedAt: deps.now() };
    }
    const { error } = outcome;
    if (clientLeft(signal)) {
      // The client gave up, not the provider: the attempt says so, and the provider's health is not charged.
      attempts.push({ endpoint, status: CLIENT_CLOSED_STATUS, errorType: 'client_closed', latencyMs: outcome.latencyMs });
      return { kind: 'failed', error: clientGone(), attempts };
    }
    attempts.push({ endpoint, status: statusOf(error), errorType: error.type, latencyMs: outcome.latencyMs });
    lastError = error;
    if (signal.aborted) return { kind: 'failed', error: clientGone(), attempts };
    if (outcome.countsAgainstHealth) deps.observer?.failure(endpoint, error);
    if (credentialRejected(error)) deps.credentials.refresh();
    if (!error.retryable) return { kind: 'failed', error, attempts };
    const next = planned[index + 1];
    if (next === undefined) break;
    await deps.sleep(backoffMs(index, error, endpoint, next, deps), signal).catch(() => undefined);
  }
  return { kind: 'failed', error: lastError ?? noEndpoint(), attempts };
}

type CredentialOutcome = { kind: 'read'; value: string | undefined } | Extract<EndpointOutcome<never>, { kind: 'failed' }>;

async function credentialOf(endpoint: Endpoint, deps: LoopDeps): Promise<CredentialOutcome> {
  const provider = endpoint.provider;
  let credential: string | undefined;
  try {
    credential = provider.credential === undefined ? undefined : await deps.credentials.get(provider.credential);
  } catch (cause) {
    // The credentials store itself failed (on AWS: the secret is missing or unreadable). Every provider that
    // needs a key is unavailable until it can be read; one that needs none (Bedrock, a keyless host) still serves.
    const error = new GatewayError({
      status: 503,
      type: 'provider_unavailable',
      message: `The credentials of ${provider.name} could not be read`,
      retryable: true,
      provider: provider.name,
      cause,
    });
    return { kind: 'failed', error, latencyMs: 0, countsAgainstHealth: false };
  }
  if (provider.credential !== undefined && credential === undefined) {
    const error = new GatewayError({
      status: 503,
      type: 'provider_unavailable',
      message: `No credential configured for ${provider.name} (${provider.credential})`,
      retryable: true,
      provider: provider.name,
    });
    return { kind: 'failed', error, latencyMs: 0, countsAgainstHealth: false };
  }
  return { kind: 'read', value: credential };
}

// ── One chat attempt: the adapter's events up to the first content event. ──

interface CommittedStream {
  head: StreamEvent[];
  rest: AsyncIterator<StreamEvent>;
  abort: () => void;
  release: () => void;
}

async function attempt(endpoint: Endpoint, credential: string | undefined, input: AttemptInput, deps: AttemptDeps): Promise<EndpointOutcome<CommittedStream>> {
  const startedAt = deps.now();
  const elapsed = (): number => deps.now() - startedAt;
  const provider = endpoint.provider;
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(input.signal.reason);
  input.signal.addEventListener('abort', onClientAbort, { once: true });
  // One bound for every attempt, streamed or not (issue 21): an upstream that
  // says nothing for `firstEventTimeoutMs` (before its headers or after
  // them) is abandoned, and the next endpoint tried. Each upstream event
  // before the commit point re-arms it, so a live reply is never cut; a JSON
  // reply is asked for only where it is short enough to arrive whole within
  // the bound (`upstreamStreams`).
  const stream = input.streamFrom(endpoint);
  const timeoutMs = deps.policy.firstEventTimeoutMs;
  let timedOut = false;
  const onSilence = (): void => {
    timedOut = true;
    controller.abort(new Error('first event timeout'));
  };
  let timer = setTimeout(onSilence, timeoutMs);
  const fail = (error: GatewayError): EndpointOutcome<CommittedStream> => {
    clearTimeout(timer);
    input.signal.removeEventListener('abort', onClientAbort);
    controller.abort();
    const reported = timedOut ? firstEventTimeout(provider.name, timeoutMs) : error;
    return { kind: 'failed', error: reported, latencyMs: elapsed(), countsAgainstHealth: !input.signal.aborted };
  };
  try {
    const events = await deps.adapters[provider.kind].send({
      request: input.request,
      endpoint,
      stream,
      maxTokens: input.maxTokensFor(endpoint),
      credential,
      signal: controller.signal,
      fetch: deps.fetch,
    });
    const iterator = events[Symbol.asyncIterator]();
    const head: StreamEvent[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        return fail(new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Upstream sent no content', retryable: true, provider: provider.name }));
      }
      const event = next.value;
      // An error as the first event is a failure before the commit point.
      if (event.type === 'error') return fail(event.error);
      head.push(event);
      if (isContentEvent(event)) break;
      clearTimeout(timer);
      timer = setTimeout(onSilence, timeoutMs);
    }
    clearTimeout(timer);
    return {
      kind: 'committed',
      latencyMs: elapsed(),
      value: {
        head,
        rest: iterator,
        abort: () => {
          input.signal.removeEventListener('abort', onClientAbort);
          controller.abort();
        },
        release: () => {
          input.signal.removeEventListener('abort', onClientAbort);
          void iterator.return?.(undefined);
        },
      },
    };
  } catch (error) {
    if (error instanceof GatewayError) return fail(error);
    return fail(
      new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider failed', retryable: true, provider: provider.name, cause: error }),
    );
  }
}

/** Exponential backoff with full jitter; a short `retry-after` for the same provider is honoured. */
export function backoffMs(index: number, error: GatewayError, failed: Endpoint, next: Endpoint, deps: Pick<AttemptDeps, 'policy' | 'random'>): number {
  const { backoffBaseMs, backoffMaxMs, maxRetryAfterMs } = deps.policy;
  const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** index);
  const jittered = Math.round(ceiling * (0.5 + deps.random() / 2));
  const retryAfter = error.retryAfterMs;
  if (retryAfter !== undefined && retryAfter <= maxRetryAfterMs && next.provider.id === failed.provider.id) {
    return Math.max(jittered, retryAfter);
  }
  return jittered;
}

/**
 * The provider refused our credential (a 401 or 403; Gemini says 400 for a
 * bad key; Bedrock an AccessDeniedException): the adapter's typed error says
 * so. The secret is read again before the next use.
 */
export function credentialRejected(error: GatewayError): boolean {
  return faultOf(error).credentialRejected;
}

/** The status an attempt is recorded with: what the upstream answered, else the gateway's own status for the failure. */
export function statusOf(error: GatewayError): number {
  return faultOf(error).upstreamStatus ?? error.status;
}

function firstEventTimeout(provider: string, ms: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'timeout',
    message: `${provider} sent nothing within ${ms} ms`,
    retryable: true,
    provider,
  });
}

/** nginx's 499: the status an attempt (and a generation) is recorded with when the client left. */
export const CLIENT_CLOSED_STATUS = 499;

/** The request's signal aborted because the client went away, not because the request's deadline passed. */
export function clientLeft(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && !(reason instanceof DOMException && reason.name === 'TimeoutError');
}

export interface UpstreamShapeInput {
  /** The caller asked for a stream. */
  clientStreams: boolean;
  endpoint: Endpoint;
  /** The output cap enforced at this endpoint. */
  maxTokens: number;
  settings: Pick<Settings, 'jsonUpstream' | 'jsonUpstreamMaxTokens'>;
}

/**
 * Whether to ask the upstream for a stream. A JSON reply arrives whole or not
 * at all, so only one short enough to come within the first-event bound is
 * asked for as JSON (settings.jsonUpstreamMaxTokens); any other is streamed
 * and assembled, so that silence is caught at the first event and a long,
 * live reply still completes.
 */
export function upstreamStreams(input: UpstreamShapeInput): boolean {
  if (input.clientStreams) return true;
  return !input.settings.jsonUpstream.includes(input.endpoint.provider.kind) || input.maxTokens > input.settings.jsonUpstreamMaxTokens;
}

export function clientGone(): GatewayError {
  return new GatewayError({ status: 408, type: 'timeout', message: 'The client closed the request', retryable: false });
}

function noEndpoint(): GatewayError {
  return new GatewayError({ status: 503, type: 'provider_unavailable', message: 'No provider could serve the request', retryable: false });
}

/** A sleep that ends early (rejecting) when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
