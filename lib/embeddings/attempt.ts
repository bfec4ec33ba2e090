// One embeddings attempt, for the shared attempt loop (lib/routing/
// attempt-loop.ts `tryInTurn`): the endpoint's embedding adapter until it
// returns every vector. Nothing reaches the client before that, so the
// attempt commits only once the whole reply is in hand; the loop owns the
// credential, the attempt records, health, backoff and fallback, as for chat.
import { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { EmbeddingAdapters, EmbeddingCall, EmbeddingResult, Fetch, UpstreamResponse } from '../providers/types.ts';
import { tryInTurn, type EndpointOutcome, type InTurn, type LoopDeps, type TryEndpoint } from '../routing/attempt-loop.ts';
import type { Settings } from '../settings.ts';

export interface EmbeddingAttemptDeps extends LoopDeps {
  adapters: EmbeddingAdapters;
  fetch: Fetch;
  policy: Settings['attempts'];
}

export interface EmbeddingAttemptInput {
  request: Pick<EmbeddingCall, 'inputs' | 'dimensions' | 'inputType' | 'user'>;
  plan: readonly Endpoint[];
  /** Aborted when the client goes away or the request's deadline passes. */
  signal: AbortSignal;
}

export type EmbeddingAttempts = InTurn<EmbeddingResult>;

export function runEmbeddingAttempts(input: EmbeddingAttemptInput, deps: EmbeddingAttemptDeps): Promise<EmbeddingAttempts> {
  return tryInTurn(input.plan, input.signal, embedAt(input, deps), deps);
}

function embedAt(input: EmbeddingAttemptInput, deps: EmbeddingAttemptDeps): TryEndpoint<EmbeddingResult> {
  return async (endpoint, credential): Promise<EndpointOutcome<EmbeddingResult>> => {
    const provider = endpoint.provider;
    const startedAt = deps.now();
    const adapter = deps.adapters[provider.kind];
    if (adapter === undefined) {
      const error = new GatewayError({
        status: 503,
        type: 'provider_unavailable',
        message: `${provider.name} has no embeddings API the gateway speaks (${provider.kind} wire)`,
        retryable: true,
        provider: provider.name,
      });
      return { kind: 'failed', error, latencyMs: 0, countsAgainstHealth: false };
    }
    const controller = new AbortController();
    const onClientAbort = (): void => controller.abort(input.signal.reason);
    input.signal.addEventListener('abort', onClientAbort, { once: true });
    // The same bound as chat's attempt (issue 21): an upstream that sends no
    // byte of its reply for `firstEventTimeoutMs` (before its headers, after
    // them, or between pieces of its body) is abandoned and the next endpoint
    // tried. Every piece of body re-arms it, so a reply that is arriving is
    // never cut; the request's deadline still bounds the whole.
    const timeoutMs = deps.policy.firstEventTimeoutMs;
    let timedOut = false;
    const onSilence = (): void => {
      timedOut = true;
      controller.abort(new Error('embeddings reply silent'));
    };
    let timer = setTimeout(onSilence, timeoutMs);
    const rearm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(onSilence, timeoutMs);
    };
    const fetch: Fetch = async (url, init) => watchedBody(await deps.fetch(url, init), rearm);
    try {
      const result = await adapter.embed({ ...input.request, endpoint, credential, signal: controller.signal, fetch });
      if (result.vectors.length !== input.request.inputs.length) {
        throw new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider returned the wrong number of embeddings', retryable: true, provider: provider.name });
      }
      return { kind: 'committed', value: result, latencyMs: deps.now() - startedAt };
    } catch (thrown) {
      // The rest of a batched call (Titan's parallel calls) stops here too.
      controller.abort();
      const error = timedOut
        ? new GatewayError({ status: 408, type: 'timeout', message: `${provider.name} sent nothing within ${timeoutMs} ms`, retryable: true, provider: provider.name })
        : thrown instanceof GatewayError
          ? thrown
          : new GatewayError({ status: 502, type: 'provider_unavailable', message: 'Provider failed', retryable: true, provider: provider.name, cause: thrown });
      return { kind: 'failed', error, latencyMs: deps.now() - startedAt, countsAgainstHealth: !input.signal.aborted };
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onClientAbort);
    }
  };
}

/** The reply with each piece of its body reported as it arrives (to re-arm the silence bound); read as the adapter reads any. */
function watchedBody(response: UpstreamResponse, onBytes: () => void): UpstreamResponse {
  const source = response.body;
  if (source === null) return response;
  const body = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(piece, stream) {
        onBytes();
        stream.enqueue(piece);
      },
    }),
  );
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    body,
    text: async () => {
      const decoder = new TextDecoder();
      let text = '';
      for await (const piece of body) text += decoder.decode(piece, { stream: true });
      return text + decoder.decode();
    },
  };
}
