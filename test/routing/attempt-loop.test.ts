// `runAttempts`, the commit point, with fake adapters and no HTTP: which
// failures move on and after how long, where the loop stops, when the
// credentials are re-read and what health hears.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatRequest } from '../../lib/api/chat-request.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { createCatalog, type Endpoint } from '../../lib/catalog/catalog.ts';
import { ProviderError } from '../../lib/providers/provider-error.ts';
import type { ProviderAdapter, ProviderCall } from '../../lib/providers/types.ts';
import { runAttempts, type AttemptDeps, type AttemptsResult } from '../../lib/routing/attempt-loop.ts';
import { defaultSettings } from '../../lib/settings.ts';
import type { StreamEvent } from '../../lib/streaming/events.ts';

const endpointEntry = (provider: string, tag?: string) => ({
  provider,
  ...(tag === undefined ? {} : { tag }),
  upstreamModel: 'model',
  pricing: { prompt: '1', completion: '1' },
  contextLength: 8_000,
  maxCompletionTokens: 1_000,
  supportedParameters: ['max_tokens'],
});
const catalog = createCatalog({
  providers: {
    alpha: { name: 'Alpha', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1' },
    beta: { name: 'Beta', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1' },
    gamma: { name: 'Gamma', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', credential: 'GAMMA_KEY' },
  },
  models: [
    {
      id: 'test/model',
      name: 'Test',
      created: 1_700_000_000,
      endpoints: [endpointEntry('alpha'), endpointEntry('alpha', 'alpha/turbo'), endpointEntry('beta'), endpointEntry('gamma')],
    },
  ],
});
const byTag = (tag: string): Endpoint => catalog.endpoints.find((entry) => entry.tag === tag) as Endpoint;
const alpha = byTag('alpha');
const alphaTurbo = byTag('alpha/turbo');
const beta = byTag('beta');
const gamma = byTag('gamma');

const request = chatRequest.parse({ model: 'test/model', messages: [{ role: 'user', content: 'Hi' }] });

/** What each endpoint does when called: events to stream, or an error to reject with. */
type Script = StreamEvent[] | GatewayError | ((call: ProviderCall) => AsyncIterable<StreamEvent>);

const reply: StreamEvent[] = [
  { type: 'start', upstreamId: 'up-1' },
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world' },
  { type: 'finish', reason: 'stop', nativeReason: 'stop', usage: undefined },
];

const failure = (status: number, options: { retryAfterMs?: number; credentialRejected?: boolean } = {}): GatewayError =>
  new ProviderError({
    status: status >= 500 || options.credentialRejected === true ? 502 : status,
    type: options.credentialRejected === true || status >= 500 ? 'provider_unavailable' : status === 429 ? 'rate_limit_exceeded' : 'invalid_request',
    message: `upstream ${status}`,
    retryable: status >= 500 || status === 429 || options.credentialRejected === true,
    retryAfterMs: options.retryAfterMs,
    provider: 'Upstream',
    upstreamStatus: status,
    credentialRejected: options.credentialRejected,
  });

async function* events(list: StreamEvent[]): AsyncGenerator<StreamEvent> {
  for (const event of list) {
    await Promise.resolve();
    yield event;
  }
}

function harness(scripts: Map<Endpoint, Script>, policy: Partial<AttemptDeps['policy']> = {}) {
  const calls: Endpoint[] = [];
  const sleeps: number[] = [];
  const observed: string[] = [];
  const credentials = { get: vi.fn((name: string) => Promise.resolve(name === 'GAMMA_KEY' ? 'secret' : undefined)), refresh: vi.fn() };
  const adapter: ProviderAdapter = {
    send(call) {
      calls.push(call.endpoint);
      const script = scripts.get(call.endpoint) ?? reply;
      if (script instanceof GatewayError) return Promise.reject(script);
      return Promise.resolve(typeof script === 'function' ? script(call) : events(script));
    },
  };
  const deps: AttemptDeps = {
    adapters: { openai: adapter, anthropic: adapter, gemini: adapter, bedrock: adapter },
    credentials,
    fetch: () => Promise.reject(new Error('no network in unit tests')),
    now: () => Date.now(),
    random: () => 0,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    policy: { ...defaultSettings.attempts, backoffBaseMs: 100, backoffMaxMs: 1_000, maxRetryAfterMs: 2_000, ...policy },
    observer: {
      success: (endpoint) => observed.push(`success ${endpoint.tag}`),
      failure: (endpoint, error) => observed.push(`failure ${endpoint.tag} ${error.status}`),
    },
  };
  const run = (plan: Endpoint[], signal: AbortSignal = new AbortController().signal): Promise<AttemptsResult> =>
    runAttempts({ request, plan, maxTokensFor: () => 100, streamFrom: () => true, signal }, deps);
  return { run, calls, sleeps, observed, credentials, deps };
}

async function rest(result: AttemptsResult): Promise<StreamEvent[]> {
  if (result.kind !== 'committed') throw new Error(`expected a commit, got ${result.error.message}`);
  const list: StreamEvent[] = [];
  for (let next = await result.rest.next(); next.done !== true; next = await result.rest.next()) list.push(next.value);
  return list;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runAttempts', () => {
  it('commits on the first content event and hands over the rest', async () => {
    const { run, calls, observed } = harness(new Map());
    const result = await run([alpha, beta]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: alpha, head: reply.slice(0, 2) });
    expect(await rest(result)).toEqual(reply.slice(2));
    expect(calls).toEqual([alpha]);
    expect(observed).toEqual(['success alpha']);
    expect(result.attempts.map((attempt) => [attempt.endpoint.tag, attempt.status, attempt.errorType])).toEqual([['alpha', 200, null]]);
  });

  it('moves on after a retryable failure, recording each attempt and telling health', async () => {
    const { run, calls, observed } = harness(new Map<Endpoint, Script>([[alpha, failure(500)], [beta, failure(429)]]));
    const result = await run([alpha, beta, gamma]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: gamma });
    expect(calls).toEqual([alpha, beta, gamma]);
    expect(result.attempts.map((attempt) => [attempt.endpoint.tag, attempt.status, attempt.errorType])).toEqual([
      ['alpha', 500, 'provider_unavailable'],
      ['beta', 429, 'rate_limit_exceeded'],
      ['gamma', 200, null],
    ]);
    expect(observed).toEqual(['failure alpha 502', 'failure beta 429', 'success gamma']);
  });

  it('treats an error as the first event, and a stream without content, as failures before the commit point', async () => {
    const scripts = new Map<Endpoint, Script>([
      [alpha, [{ type: 'start' }, { type: 'error', error: failure(503) }]],
      [beta, [{ type: 'start' }]],
    ]);
    const { run, calls } = harness(scripts);
    const result = await run([alpha, beta, gamma]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: gamma });
    expect(calls).toEqual([alpha, beta, gamma]);
    expect(result.attempts.map((attempt) => attempt.status)).toEqual([503, 502, 200]);
  });

  it('stops at once on a failure that is not retryable', async () => {
    const rejected = failure(400);
    const { run, calls, sleeps, observed } = harness(new Map<Endpoint, Script>([[alpha, rejected]]));
    const result = await run([alpha, beta]);

    expect(result).toMatchObject({ kind: 'failed', error: rejected });
    expect(calls).toEqual([alpha]);
    expect(sleeps).toEqual([]);
    // The harness's observer hears it; whether it counts is lib/health's call.
    expect(observed).toEqual(['failure alpha 400']);
  });

  it('tries at most maxAttempts endpoints and returns the last error', async () => {
    const last = failure(502);
    const scripts = new Map<Endpoint, Script>([[alpha, failure(500)], [alphaTurbo, last], [beta, failure(503)]]);
    const { run, calls, sleeps } = harness(scripts, { maxAttempts: 2 });
    const result = await run([alpha, alphaTurbo, beta, gamma]);

    expect(result).toMatchObject({ kind: 'failed', error: last });
    expect(calls).toEqual([alpha, alphaTurbo]);
    expect(sleeps).toHaveLength(1);
  });

  it('backs off exponentially with jitter, up to the cap', async () => {
    const scripts = new Map<Endpoint, Script>([[alpha, failure(500)], [alphaTurbo, failure(500)], [beta, failure(500)], [gamma, failure(500)]]);
    const low = harness(scripts, { backoffBaseMs: 100, backoffMaxMs: 300 });
    await low.run([alpha, alphaTurbo, beta, gamma]);
    const high = harness(scripts, { backoffBaseMs: 100, backoffMaxMs: 300 });
    high.deps.random = () => 1;
    await high.run([alpha, alphaTurbo, beta, gamma]);

    // Ceilings 100, 200, then 300 (capped); the draw picks between half and all of it.
    expect(low.sleeps).toEqual([50, 100, 150]);
    expect(high.sleeps).toEqual([100, 200, 300]);
  });

  it('honours a short retry-after when the next endpoint is the same provider', async () => {
    const { run, sleeps } = harness(new Map<Endpoint, Script>([[alpha, failure(429, { retryAfterMs: 1_500 })]]));
    const result = await run([alpha, alphaTurbo]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: alphaTurbo });
    expect(sleeps).toEqual([1_500]);
  });

  it('does not wait for a retry-after longer than maxRetryAfterMs', async () => {
    const { run, sleeps } = harness(new Map<Endpoint, Script>([[alpha, failure(429, { retryAfterMs: 60_000 })]]));
    await run([alpha, alphaTurbo]);

    expect(sleeps).toEqual([50]);
  });

  it('does not wait for a retry-after when the next endpoint is another provider', async () => {
    const { run, sleeps } = harness(new Map<Endpoint, Script>([[alpha, failure(429, { retryAfterMs: 1_500 })]]));
    await run([alpha, beta]);

    expect(sleeps).toEqual([50]);
  });

  it('re-reads the credentials after the provider rejected them, and moves on', async () => {
    const rejectedCredential = failure(401, { credentialRejected: true });
    const { run, credentials, calls } = harness(new Map<Endpoint, Script>([[gamma, rejectedCredential]]));
    const result = await run([gamma, beta]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: beta });
    expect(calls).toEqual([gamma, beta]);
    expect(credentials.get).toHaveBeenCalledWith('GAMMA_KEY');
    expect(credentials.refresh).toHaveBeenCalledTimes(1);
  });

  it('does not re-read the credentials after a server error', async () => {
    const { run, credentials } = harness(new Map<Endpoint, Script>([[gamma, failure(500)]]));
    await run([gamma, beta]);

    expect(credentials.refresh).not.toHaveBeenCalled();
  });

  it('skips an endpoint whose credential is not configured, without blaming its health', async () => {
    const { run, calls, observed, credentials } = harness(new Map());
    credentials.get.mockResolvedValue(undefined);
    const result = await run([gamma, beta]);

    expect(result).toMatchObject({ kind: 'committed', endpoint: beta });
    expect(calls).toEqual([beta]);
    expect(result.attempts[0]).toMatchObject({ endpoint: gamma, status: 503, errorType: 'provider_unavailable' });
    expect(observed).toEqual(['success beta']);
  });

  it('times out an attempt that sends nothing, and moves on', async () => {
    vi.useFakeTimers();
    const silent = (call: ProviderCall): AsyncIterable<StreamEvent> => ({
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<StreamEvent>>((_resolve, reject) => {
            call.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
      }),
    });
    const { run, calls, observed } = harness(new Map<Endpoint, Script>([[alpha, silent]]), { firstEventTimeoutMs: 1_000 });
    const pending = run([alpha, beta]);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([alpha]);
    await vi.advanceTimersByTimeAsync(1);
    const result = await pending;

    expect(result).toMatchObject({ kind: 'committed', endpoint: beta });
    expect(result.attempts[0]).toMatchObject({ endpoint: alpha, status: 408, errorType: 'timeout', latencyMs: 1_000 });
    expect(observed).toEqual(['failure alpha 408', 'success beta']);
  });

  it('stops when the client goes away, without blaming the endpoint', async () => {
    const client = new AbortController();
    const hanging = (call: ProviderCall): AsyncIterable<StreamEvent> => ({
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<StreamEvent>>((_resolve, reject) => {
            call.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
            client.abort();
          }),
      }),
    });
    const { run, calls, observed } = harness(new Map<Endpoint, Script>([[alpha, hanging]]));
    const result = await run([alpha, beta], client.signal);

    expect(result).toMatchObject({ kind: 'failed', error: { type: 'timeout', retryable: false } });
    expect(calls).toEqual([alpha]);
    // The record says who gave up: the client (499), not the provider timing out.
    expect(result.attempts).toMatchObject([{ endpoint: alpha, status: 499, errorType: 'client_closed' }]);
    expect(observed).toEqual([]);
  });

  it('bounds every silence before the commit point, re-armed by each upstream event, streamed or not', async () => {
    vi.useFakeTimers();
    // `start` after 900 ms, content 900 ms later: never silent for the whole 1-s bound.
    const slowButLive = (): AsyncIterable<StreamEvent> =>
      (async function* () {
        await new Promise((resolve) => setTimeout(resolve, 900));
        yield { type: 'start' } as StreamEvent;
        await new Promise((resolve) => setTimeout(resolve, 900));
        yield* reply.slice(1);
      })();
    const { deps } = harness(new Map<Endpoint, Script>([[alpha, slowButLive]]), { firstEventTimeoutMs: 1_000 });
    const pending = runAttempts({ request, plan: [alpha, beta], maxTokensFor: () => 100, streamFrom: () => false, signal: new AbortController().signal }, deps);
    await vi.advanceTimersByTimeAsync(1_800);
    const result = await pending;

    expect(result).toMatchObject({ kind: 'committed', endpoint: alpha });
    expect(result.attempts).toMatchObject([{ endpoint: alpha, status: 200 }]);
  });

  it('aborts the committed upstream call through abort()', async () => {
    let upstream: AbortSignal | undefined;
    const capture = (call: ProviderCall): AsyncIterable<StreamEvent> => {
      upstream = call.signal;
      return events(reply);
    };
    const { run } = harness(new Map<Endpoint, Script>([[alpha, capture]]));
    const result = await run([alpha]);
    expect(upstream?.aborted).toBe(false);

    if (result.kind === 'committed') result.abort();
    expect(upstream?.aborted).toBe(true);
  });
});
