// The health probe (run each minute by the scheduled function): one
// one-token request to every endpoint that can be reached, its time to
// first token or its failure recorded in the shared store.
import { chatRequest } from '../api/chat-request.ts';
import { asGatewayError, type GatewayError } from '../api/errors.ts';
import type { Catalog, Endpoint } from '../catalog/catalog.ts';
import type { Adapters, Credentials, Fetch } from '../providers/types.ts';
import { faultOf } from '../providers/provider-error.ts';
import type { HealthStore } from '../store/health.ts';
import { isContentEvent } from '../streaming/events.ts';
import { countsAgainstEndpoint, healthPolicy, type HealthPolicy, type HealthPolicyInput } from './policy.ts';
import { mergeIntoRecord, type PendingHealth } from './record-merge.ts';

export interface ProbeOptions {
  catalog: Catalog;
  adapters: Adapters;
  credentials: Credentials;
  fetch: Fetch;
  store: HealthStore;
  now: () => number;
  /** The running simulator; simulated providers are skipped without one. */
  simulatorUrl?: string;
  policy?: HealthPolicyInput;
}

export interface ProbeResult {
  endpoint: string;
  provider: string;
  outcome: 'ok' | 'failed' | 'skipped';
  /** Time to first token, for `ok`. */
  latencyMs?: number;
  /** Upstream status and error type, for `failed` (never the upstream's message). */
  status?: number;
  errorType?: string;
  /** Why it was skipped. */
  reason?: string;
  /** Whether the outcome reached the health store. */
  recorded: boolean;
}

export interface ProbeSummary {
  ok: number;
  failed: number;
  skipped: number;
  results: ProbeResult[];
}

export async function runProbe(options: ProbeOptions): Promise<ProbeSummary> {
  const policy = healthPolicy(options.policy);
  const endpoints = options.catalog.endpoints;
  const results: ProbeResult[] = new Array<ProbeResult>(endpoints.length);
  let next = 0;
  // A small pool: a minute's probe should not burst every provider at once.
  const worker = async (): Promise<void> => {
    while (next < endpoints.length) {
      const index = next++;
      const endpoint = endpoints[index];
      if (endpoint !== undefined) results[index] = await probeEndpoint(endpoint, options, policy);
    }
  };
  await Promise.all(Array.from({ length: Math.min(policy.probe.concurrency, endpoints.length) }, worker));
  const count = (outcome: ProbeResult['outcome']): number => results.filter((result) => result.outcome === outcome).length;
  return { ok: count('ok'), failed: count('failed'), skipped: count('skipped'), results };
}

async function probeEndpoint(endpoint: Endpoint, options: ProbeOptions, policy: HealthPolicy): Promise<ProbeResult> {
  const base = { endpoint: endpoint.id, provider: endpoint.provider.id };
  const skip = (reason: string): ProbeResult => ({ ...base, outcome: 'skipped', reason, recorded: false });
  const provider = endpoint.provider;
  // The probe is a one-token chat request, which an embedding model does not
  // answer: its health comes from real /embeddings traffic only.
  if (endpoint.embedding !== undefined) return skip('embedding endpoint');
  if (provider.healthProbe === false) return skip('not probed');
  if (provider.simulator !== undefined && options.simulatorUrl === undefined) return skip('simulator not running');
  if (provider.baseUrl === '' && provider.kind !== 'bedrock') return skip('no base URL');
  let credential: string | undefined;
  if (provider.credential !== undefined) {
    try {
      credential = await options.credentials.get(provider.credential);
    } catch {
      return skip('credential unavailable');
    }
    if (credential === undefined || credential === '') return skip('no credential');
  }

  const startedAt = options.now();
  const outcome = await timedCall(endpoint, credential, options, policy);
  const at = options.now();
  if (outcome.kind === 'ok') {
    const latencyMs = outcome.firstTokenAt - startedAt;
    const recorded = await record(endpoint, { events: [{ kind: 'success', at }], latency: [{ at, value: latencyMs }], throughput: [] }, at, options, policy);
    return { ...base, outcome: 'ok', latencyMs, recorded };
  }
  const status = upstreamStatus(outcome.error);
  const failure = { status, errorType: outcome.error.type };
  // A probe the upstream rejects as malformed says nothing about its health.
  const recorded = countsAgainstEndpoint(failure, policy)
    ? await record(endpoint, { events: [{ kind: 'failure', at }], latency: [], throughput: [] }, at, options, policy)
    : false;
  return { ...base, outcome: 'failed', status, errorType: outcome.error.type, recorded };
}

type CallOutcome = { kind: 'ok'; firstTokenAt: number } | { kind: 'failed'; error: GatewayError };

async function timedCall(endpoint: Endpoint, credential: string | undefined, options: ProbeOptions, policy: HealthPolicy): Promise<CallOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.probe.timeoutMs);
  try {
    const events = await options.adapters[endpoint.provider.kind].send({
      request: chatRequest.parse({ model: endpoint.modelId, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: true }),
      endpoint,
      stream: true,
      maxTokens: 1,
      credential,
      signal: controller.signal,
      fetch: options.fetch,
    });
    let firstTokenAt: number | undefined;
    for await (const event of events) {
      if (event.type === 'error') return { kind: 'failed', error: event.error };
      if (firstTokenAt === undefined && isContentEvent(event)) firstTokenAt = options.now();
    }
    return firstTokenAt === undefined
      ? { kind: 'failed', error: asGatewayError(new Error('stream ended without content')) }
      : { kind: 'ok', firstTokenAt };
  } catch (error) {
    return { kind: 'failed', error: asGatewayError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The upstream's own status where the adapter kept it; upstream 5xx surface as 502/503. */
function upstreamStatus(error: GatewayError): number {
  return faultOf(error).upstreamStatus ?? error.status;
}

async function record(endpoint: Endpoint, news: PendingHealth, at: number, options: ProbeOptions, policy: HealthPolicy): Promise<boolean> {
  try {
    await options.store.update(endpoint.id, at, (current) => mergeIntoRecord(current, news, at, policy), { maxAttempts: policy.maxWriteAttempts });
    return true;
  } catch {
    return false;
  }
}
