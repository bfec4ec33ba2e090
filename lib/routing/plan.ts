// The attempt plan: which endpoints to try, in which order, for one request.
// First cut: the model's endpoints cheapest first; filters and health follow.
import type { ChatRequest } from '../api/chat-request.ts';
import { invalidRequest, notFound } from '../api/errors.ts';
import type { Catalog, Endpoint } from '../catalog/catalog.ts';

/** A synchronous snapshot of endpoint health; lib/health provides the real one. */
export interface HealthView {
  endpoint(endpointId: string, now: number): EndpointHealth;
}
export interface EndpointHealth {
  degraded: boolean;
  /** Epoch milliseconds. */
  lastFailureAt: number | undefined;
  latencyMs: Percentiles | undefined;
  throughputTps: Percentiles | undefined;
}
export interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}
export interface PlanInput {
  request: ChatRequest;
  catalog: Catalog;
  health: HealthView;
  sticky: StickySessions;
  sessionKey: string | undefined;
  promptTokens: number;
  now: number;
  random: () => number;
}
export interface ExcludedEndpoint {
  endpoint: string;
  provider: string;
  model: string;
  excludedBy: string;
}
export interface AttemptPlan {
  attempts: Endpoint[];
  excluded: ExcludedEndpoint[];
}
export interface StickySessions {
  /** The endpoint id remembered for (key, model), if any. */
  get(key: string, modelId: string, now: number): string | undefined;
  set(key: string, modelId: string, endpointId: string, now: number): void;
  forget(key: string, modelId: string): void;
}

export function attemptPlan(input: PlanInput): AttemptPlan {
  const modelIds = [...new Set([input.request.model, ...(input.request.models ?? [])].filter((id) => id !== undefined))];
  const attempts: Endpoint[] = [];
  for (const modelId of modelIds) {
    const model = input.catalog.models.get(modelId);
    if (model === undefined) throw invalidRequest(`${modelId} is not a valid model ID`);
    attempts.push(...[...model.endpoints].sort((a, b) => blended(a) - blended(b)));
  }
  if (attempts.length === 0) throw notFound('No endpoints found', { excluded_by: [] });
  return { attempts, excluded: [] };
}

function blended(endpoint: Endpoint): number {
  return Number(endpoint.pricing.prompt) + Number(endpoint.pricing.completion);
}

export function createStickySessions(options: { idleMs?: number; maxEntries?: number } = {}): StickySessions {
  const idleMs = options.idleMs ?? 600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { endpointId: string; touchedAt: number }>();
  const keyOf = (key: string, modelId: string): string => `${key}\u0000${modelId}`;
  return {
    get(key, modelId, now) {
      const entry = entries.get(keyOf(key, modelId));
      if (entry === undefined) return undefined;
      if (now - entry.touchedAt >= idleMs) {
        entries.delete(keyOf(key, modelId));
        return undefined;
      }
      return entry.endpointId;
    },
    set(key, modelId, endpointId, now) {
      const k = keyOf(key, modelId);
      entries.delete(k);
      entries.set(k, { endpointId, touchedAt: now });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    forget(key, modelId) {
      entries.delete(keyOf(key, modelId));
    },
  };
}

export function sessionKeyFor(request: ChatRequest, headers: Headers): string | undefined {
  return request.session_id ?? headers.get('x-session-id') ?? request.prompt_cache_key ?? undefined;
}
