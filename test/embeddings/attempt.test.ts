// Embeddings through the shared attempt loop, without HTTP: adapters that answer or fail as
// each test says, a clock and a sleep that record, the settings' policy.
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../lib/api/errors.ts';
import { createCatalog, type Endpoint } from '../../lib/catalog/catalog.ts';
import { runEmbeddingAttempts, type EmbeddingAttemptDeps } from '../../lib/embeddings/attempt.ts';
import type { EmbeddingAdapter, EmbeddingCall } from '../../lib/providers/types.ts';
import { defaultSettings } from '../../lib/settings.ts';

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: `${provider}-embed`,
  pricing: { prompt: '1', completion: '0' },
  contextLength: 8192,
  maxCompletionTokens: 1,
  supportedParameters: [],
  embedding: { dimensions: 2 },
});
const catalog = createCatalog({
  providers: {
    first: { name: 'First', kind: 'openai', baseUrl: 'http://127.0.0.1:9/first' },
    second: { name: 'Second', kind: 'gemini', baseUrl: 'http://127.0.0.1:9/second', credential: 'SECOND_KEY' },
    third: { name: 'Third', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9/third' },
  },
  models: [{ id: 'test/embed', name: 'Embed', created: 1, endpoints: [endpoint('first'), endpoint('second'), endpoint('third')] }],
});
const [first, second, third] = catalog.endpoints as [Endpoint, Endpoint, Endpoint];

type Behaviour = (call: EmbeddingCall) => Promise<{ vectors: number[][]; promptTokens: number | undefined }>;

/** `credential`: what every credential reads as; null for none configured. */
function harness(behaviours: { openai?: Behaviour; gemini?: Behaviour }, credential: string | null = 'key') {
  const seen: { provider: string; call: EmbeddingCall }[] = [];
  const health: string[] = [];
  const sleeps: number[] = [];
  const adapter = (kind: 'openai' | 'gemini'): EmbeddingAdapter => ({
    embed: (call) => {
      seen.push({ provider: call.endpoint.provider.id, call });
      const behaviour = behaviours[kind];
      return behaviour === undefined ? Promise.reject(new Error('unexpected call')) : behaviour(call);
    },
  });
  let clock = 0;
  const deps: EmbeddingAttemptDeps = {
    adapters: { openai: adapter('openai'), gemini: adapter('gemini') },
    credentials: { get: () => Promise.resolve(credential ?? undefined), refresh: () => undefined },
    fetch: () => Promise.reject(new Error('no network in this test')),
    now: () => (clock += 5),
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    policy: defaultSettings.attempts,
    observer: { success: (endpoint) => health.push(`ok ${endpoint.id}`), failure: (endpoint, error) => health.push(`failed ${endpoint.id} ${error.status}`) },
  };
  return { deps, seen, health, sleeps };
}

const request = { inputs: ['a', 'b'], dimensions: 2, inputType: undefined, user: 'u' };
const two = (): Promise<{ vectors: number[][]; promptTokens: number }> => Promise.resolve({ vectors: [[1, 0], [0, 1]], promptTokens: 2 });
const unavailable = (): Promise<never> =>
  Promise.reject(new GatewayError({ status: 503, type: 'provider_overloaded', message: 'overloaded', retryable: true, provider: 'First' }));

describe('runEmbeddingAttempts', () => {
  it('falls over after a retryable failure, with a backoff, and records both attempts and their health', async () => {
    const { deps, seen, health, sleeps } = harness({ openai: unavailable, gemini: two });
    const outcome = await runEmbeddingAttempts({ request, plan: [first, second], signal: new AbortController().signal }, deps);

    expect(outcome).toMatchObject({ kind: 'committed', endpoint: second, value: { vectors: [[1, 0], [0, 1]], promptTokens: 2 } });
    expect(outcome.attempts.map((attempt) => [attempt.endpoint.id, attempt.status, attempt.errorType])).toEqual([
      [first.id, 503, 'provider_overloaded'],
      [second.id, 200, null],
    ]);
    expect(seen.map((entry) => entry.provider)).toEqual(['first', 'second']);
    expect(seen[1]?.call).toMatchObject({ inputs: ['a', 'b'], dimensions: 2, user: 'u', credential: 'key' });
    expect(health).toEqual([`failed ${first.id} 503`, `ok ${second.id}`]);
    expect(sleeps).toHaveLength(1);
  });

  it('stops at a failure another endpoint cannot fix (the caller’s 400)', async () => {
    const invalid = (): Promise<never> => Promise.reject(new GatewayError({ status: 400, type: 'invalid_request', message: 'input too long', provider: 'First' }));
    const { deps, seen } = harness({ openai: invalid, gemini: two });
    const outcome = await runEmbeddingAttempts({ request, plan: [first, second], signal: new AbortController().signal }, deps);
    expect(outcome).toMatchObject({ kind: 'failed', error: { status: 400, message: 'input too long' } });
    expect(seen).toHaveLength(1);
  });

  it('treats a reply with the wrong number of vectors as a retryable provider failure', async () => {
    const { deps } = harness({ openai: () => Promise.resolve({ vectors: [[1, 0]], promptTokens: 1 }), gemini: two });
    const outcome = await runEmbeddingAttempts({ request, plan: [first, second], signal: new AbortController().signal }, deps);
    expect(outcome.kind).toBe('committed');
    expect(outcome.attempts[0]).toMatchObject({ status: 502, errorType: 'provider_unavailable' });
  });

  it('skips a wire with no embeddings API and a provider with no credential, without counting either against health', async () => {
    const { deps, seen, health } = harness({ openai: unavailable }, null);
    const outcome = await runEmbeddingAttempts({ request, plan: [third, second, first], signal: new AbortController().signal }, deps);
    expect(outcome).toMatchObject({ kind: 'failed', error: { status: 503, type: 'provider_overloaded' } });
    expect(outcome.attempts.map((attempt) => [attempt.endpoint.id, attempt.status])).toEqual([
      [third.id, 503],
      [second.id, 503],
      [first.id, 503],
    ]);
    expect(seen.map((entry) => entry.provider)).toEqual(['first']);
    expect(health).toEqual([`failed ${first.id} 503`]);
  });

  it('keeps the cause when the credentials store cannot be read, and falls over to a provider that needs no key', async () => {
    const { deps, seen } = harness({ openai: two });
    const unreadable = new Error('secret not found');
    deps.credentials = { get: () => Promise.reject(unreadable), refresh: () => undefined };
    const outcome = await runEmbeddingAttempts({ request, plan: [second, first], signal: new AbortController().signal }, deps);

    expect(outcome).toMatchObject({ kind: 'committed', endpoint: first });
    expect(outcome.attempts[0]).toMatchObject({ status: 503, errorType: 'provider_unavailable' });
    expect(seen.map((entry) => entry.provider)).toEqual(['first']);
    const failedOnly = await runEmbeddingAttempts({ request, plan: [second], signal: new AbortController().signal }, deps);
    expect(failedOnly).toMatchObject({ kind: 'failed', error: { status: 503, message: 'The credentials of Second could not be read' } });
    expect(failedOnly.kind === 'failed' && failedOnly.error.cause).toBe(unreadable);
  });

  it('ends with the client gone when the request is aborted before an attempt', async () => {
    const controller = new AbortController();
    controller.abort();
    const { deps, seen } = harness({ openai: two });
    const outcome = await runEmbeddingAttempts({ request, plan: [first], signal: controller.signal }, deps);
    expect(outcome).toMatchObject({ kind: 'failed', error: { status: 408 } });
    expect(seen).toEqual([]);
  });
});
