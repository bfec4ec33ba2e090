// The embeddings attempt loop: the endpoints of the plan in turn until one
// returns every vector. Nothing reaches the client before that, so every
// retryable failure falls over (DESIGN decision 7), with the chat loop's
// backoff, attempt records and health reports.
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { Credentials, EmbeddingAdapters, EmbeddingCall, EmbeddingResult, Fetch } from '../providers/types.ts';
import { backoffMs, clientGone, credentialRejected, statusOf, type AttemptObserver, type AttemptRecord } from '../routing/attempt-loop.ts';
import type { Settings } from '../settings.ts';

export interface EmbeddingAttemptDeps {
  adapters: EmbeddingAdapters;
  credentials: Credentials;
  fetch: Fetch;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  policy: Settings['attempts'];
  observer: AttemptObserver;
}

export interface EmbeddingAttemptInput {
  request: Pick<EmbeddingCall, 'inputs' | 'dimensions' | 'inputType' | 'user'>;
  plan: readonly Endpoint[];
  /** Aborted when the client goes away or the request's deadline passes. */
  signal: AbortSignal;
}

export type EmbeddingAttempts =
  | { kind: 'embedded'; endpoint: Endpoint; result: EmbeddingResult; attempts: AttemptRecord[] }
  | { kind: 'failed'; error: GatewayError; attempts: AttemptRecord[] };

export async function runEmbeddingAttempts(input: EmbeddingAttemptInput, deps: EmbeddingAttemptDeps): Promise<EmbeddingAttempts> {
  const attempts: AttemptRecord[] = [];
  const plan = input.plan.slice(0, deps.policy.maxAttempts);
  let lastError: GatewayError | undefined;
  for (let index = 0; index < plan.length; index += 1) {
    const endpoint = plan[index] as Endpoint;
    if (input.signal.aborted) return { kind: 'failed', error: clientGone(), attempts };
    const startedAt = deps.now();
    const outcome = await attempt(endpoint, input, deps);
    const latencyMs = deps.now() - startedAt;
    if (outcome.kind === 'embedded') {
      attempts.push({ endpoint, status: 200, errorType: null, latencyMs });
      deps.observer.success(endpoint, latencyMs);
      return { kind: 'embedded', endpoint, result: outcome.result, attempts };
    }
    const { error } = outcome;
    attempts.push({ endpoint, status: statusOf(error), errorType: error.type, latencyMs });
    lastError = error;
    if (input.signal.aborted) return { kind: 'failed', error: clientGone(), attempts };
    if (outcome.countsAgainstHealth) deps.observer.failure(endpoint, error);
    if (credentialRejected(error)) deps.credentials.refresh();
    if (!error.retryable) return { kind: 'failed', error, attempts };
    const next = plan[index + 1];
    if (next === undefined) break;
    await deps.sleep(backoffMs(index, error, endpoint, next, deps), input.signal).catch(() => undefined);
  }
  return {
    kind: 'failed',
    error: lastError ?? new GatewayError({ status: 503, type: 'provider_unavailable', message: 'No provider could serve the request' }),
    attempts,
  };
}

type AttemptOutcome = { kind: 'embedded'; result: EmbeddingResult } | { kind: 'failed'; error: GatewayError; countsAgainstHealth: boolean };

async function attempt(endpoint: Endpoint, input: EmbeddingAttemptInput, deps: EmbeddingAttemptDeps): Promise<AttemptOutcome> {
  const provider = endpoint.provider;
  const adapter = deps.adapters[provider.kind];
  const unavailable = (message: string): AttemptOutcome => ({
    kind: 'failed',
    error: new GatewayError({ status: 503, type: 'provider_unavailable', message, retryable: true, provider: provider.name }),
    countsAgainstHealth: false,
  });
  if (adapter === undefined) return unavailable(`${provider.name} has no embeddings API the gateway speaks (${provider.kind} wire)`);
  let credential: string | undefined;
  try {
    credential = provider.credential === undefined ? undefined : await deps.credentials.get(provider.credential);
  } catch {
    // The credentials store failed (on AWS: the secret is missing or unreadable; the edge logs why): fail over, as for a missing key.
    return unavailable(`The credentials of ${provider.name} could not be read`);
  }
  if (provider.credential !== undefined && credential === undefined) return unavailable(`No credential configured for ${provider.name} (${provider.credential})`);

  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(input.signal.reason);
  input.signal.addEventListener('abort', onClientAbort, { once: true });
  const timeoutMs = deps.policy.wholeReplyTimeoutMs;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('embeddings reply timeout'));
  }, timeoutMs);
  try {
    const result = await adapter.embed({ ...input.request, endpoint, credential, signal: controller.signal, fetch: deps.fetch });
    if (result.vectors.length !== input.request.inputs.length) {
      throw new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider returned the wrong number of embeddings', retryable: true, provider: provider.name });
    }
    return { kind: 'embedded', result };
  } catch (thrown) {
    // The rest of a batched call (Titan's parallel calls) stops here too.
    controller.abort();
    const error = timedOut
      ? new GatewayError({ status: 408, type: 'timeout', message: `${provider.name} sent no embeddings within ${timeoutMs} ms`, retryable: true, provider: provider.name })
      : thrown instanceof GatewayError
        ? thrown
        : new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider failed', retryable: true, provider: provider.name, cause: thrown });
    return { kind: 'failed', error, countsAgainstHealth: !input.signal.aborted };
  } finally {
    clearTimeout(timer);
    input.signal.removeEventListener('abort', onClientAbort);
  }
}
