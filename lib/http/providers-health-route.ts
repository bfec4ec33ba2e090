// GET /api/v1/providers/health: Switchyard's view of every catalog endpoint
// now, grouped by provider, for the dashboard. A management key. The
// breaker, latency and throughput come from the health tracker (this
// container's news merged with the shared records); the last report and
// the breaker's close time from the shared health record; the recent error
// rate from the attempts of the account's generations of the last hour (at
// most 500 of them, newest first).
import type { GatewayRequest, Reply } from '../api/reply.ts';
import { json } from '../api/reply.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import type { GatewayDeps } from '../pipeline/deps.ts';
import { listGenerations } from '../store/generation-listing.ts';
import { createHealthStore, type HealthRecord } from '../store/health.ts';
import { storedGeneration } from './generation-wire.ts';
import { managementKey } from './management-request.ts';

const RECENT_WINDOW_MS = 3_600_000;
const RECENT_MAX_GENERATIONS = 500;
/** An error rate at or above this, or a failure this recent, marks an endpoint as degraded before its breaker opens. */
const DEGRADED_ERROR_RATE = 0.25;
const RECENT_FAILURE_MS = 30_000;

type EndpointState = 'down' | 'degraded' | 'healthy' | 'idle';
const SEVERITY: Record<EndpointState, number> = { down: 3, degraded: 2, healthy: 1, idle: 0 };

interface AttemptCounts {
  attempts: number;
  failures: number;
  lastStatus: number | undefined;
}

/** Attempts per endpoint in the account's recent generations. */
async function recentAttempts(deps: GatewayDeps, accountId: string, now: number): Promise<Map<string, AttemptCounts>> {
  const counts = new Map<string, AttemptCounts>();
  const page = await listGenerations(deps.table, { accountId, fromMs: now - RECENT_WINDOW_MS, toMs: now + 1, limit: RECENT_MAX_GENERATIONS }, now);
  // Newest first: the first status seen per endpoint is its latest.
  for (const text of page.records) {
    const parsed = storedGeneration.safeParse(JSON.parse(text));
    if (!parsed.success) continue;
    for (const attempt of parsed.data.attempts) {
      let entry = counts.get(attempt.endpoint);
      if (entry === undefined) counts.set(attempt.endpoint, (entry = { attempts: 0, failures: 0, lastStatus: attempt.status }));
      entry.attempts += 1;
      if (attempt.status !== 200) entry.failures += 1;
    }
  }
  return counts;
}

function endpointHealth(endpoint: Endpoint, deps: GatewayDeps, record: HealthRecord | undefined, recent: AttemptCounts | undefined, now: number) {
  const view = deps.health.endpoint(endpoint.id, now);
  const errorRate = recent === undefined || recent.attempts === 0 ? null : recent.failures / recent.attempts;
  const state: EndpointState = view.degraded
    ? 'down'
    : (errorRate !== null && errorRate >= DEGRADED_ERROR_RATE) || (view.lastFailureAt !== undefined && now - view.lastFailureAt < RECENT_FAILURE_MS)
      ? 'degraded'
      : recent !== undefined || record !== undefined || view.latencyMs !== undefined
        ? 'healthy'
        : 'idle';
  return {
    id: endpoint.id,
    model: endpoint.modelId,
    tag: endpoint.tag,
    state,
    breaker: view.degraded ? 'open' : 'closed',
    degraded_until: record?.degradedUntil !== undefined && record.degradedUntil > now ? new Date(record.degradedUntil).toISOString() : null,
    last_failure_at: view.lastFailureAt === undefined ? null : new Date(view.lastFailureAt).toISOString(),
    // The last time any container or the probe wrote this endpoint's shared record.
    last_report_at: record === undefined ? null : new Date(record.updatedAt).toISOString(),
    latency_ms: view.latencyMs ?? null,
    throughput_tps: view.throughputTps ?? null,
    recent: {
      window_ms: RECENT_WINDOW_MS,
      attempts: recent?.attempts ?? 0,
      failures: recent?.failures ?? 0,
      error_rate: errorRate,
      last_status: recent?.lastStatus ?? null,
    },
  };
}

export async function providersHealthRoute(request: GatewayRequest, deps: GatewayDeps): Promise<Reply> {
  const caller = await managementKey(request, deps);
  const now = deps.now();
  await deps.generations.flush();
  const endpoints = deps.catalog.endpoints;
  const [records, recent] = await Promise.all([
    createHealthStore(deps.table).getMany(endpoints.map((endpoint) => endpoint.id), now),
    recentAttempts(deps, caller.accountId, now),
  ]);
  const recordOf = new Map(records.map((record) => [record.endpointId, record]));
  const providers = [...deps.catalog.providers.values()].map((provider) => {
    const rows = endpoints
      .filter((endpoint) => endpoint.provider.id === provider.id)
      .map((endpoint) => endpointHealth(endpoint, deps, recordOf.get(endpoint.id), recent.get(endpoint.id), now));
    const state = rows.reduce<EndpointState>((worst, row) => (SEVERITY[row.state] > SEVERITY[worst] ? row.state : worst), 'idle');
    const attempts = rows.reduce((sum, row) => sum + row.recent.attempts, 0);
    const failures = rows.reduce((sum, row) => sum + row.recent.failures, 0);
    return {
      slug: provider.id,
      name: provider.name,
      kind: provider.kind,
      state,
      recent: { window_ms: RECENT_WINDOW_MS, attempts, failures, error_rate: attempts === 0 ? null : failures / attempts },
      endpoints: rows,
    };
  });
  providers.sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state] || a.name.localeCompare(b.name));
  return json({ data: providers, generated_at: new Date(now).toISOString() });
}
