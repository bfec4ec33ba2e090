// The attempt plan: which endpoints to try for one request, in which order.
// OpenRouter's semantics (openrouter-api.md §2.4, §2.5, §3.1–3.4): requested
// models as fallbacks; hard filters; `order`, `sort` or the default
// price-weighted draw; soft preferences and health move endpoints back;
// a healthy sticky endpoint goes first. An open breaker outranks an explicit
// `order` (DESIGN decision 8): that endpoint is tried after the healthy ones,
// still when nothing else is left, and the plan says why it went last.
import type { ChatRequest, ProviderPreferences } from '../api/chat-request.ts';
import { notFound, type GatewayError } from '../api/errors.ts';
import type { Catalog, Endpoint } from '../catalog/catalog.ts';
import { missingCredentialExclusion, noCredentialError, splitByCredential, type CredentialReadiness } from './credential-readiness.ts';
import { hardFilter, narrowToSupporting, type Exclusion } from './endpoint-filters.ts';
import {
  cheapestFirst,
  meetsPreferences,
  orderedByPreference,
  passingFirst,
  priceWeightedDraw,
  sortEndpoints,
  type HealthOf,
} from './endpoint-order.ts';
import { requestedModels, type RequestedModel, type SortKey } from './model-resolution.ts';
import { requestNeeds, type OutputModality } from './request-needs.ts';
import { defaultRoutingPolicy, type RoutingPolicy } from './routing-policy.ts';
import type { AttemptPlan, DeprioritizedEndpoint, EndpointHealth, ExcludedEndpoint, HealthView, StickySessions } from './types.ts';

export type { AttemptPlan, DeprioritizedEndpoint, DeprioritizedReason, EndpointHealth, ExcludedEndpoint, HealthView, Percentiles, StickySessions } from './types.ts';
export { createStickySessions, sessionKeyFor } from './sticky-sessions.ts';

export interface PlanInput {
  request: ChatRequest;
  catalog: Catalog;
  health: HealthView;
  sticky: StickySessions;
  /** From `sessionKeyFor`, scoped by the caller's account. */
  sessionKey: string | undefined;
  /** The prompt's size estimate, for the context-length filter. */
  promptTokens: number;
  now: number;
  /** [0, 1), like Math.random; seedable for tests. */
  random: () => number;
  policy?: RoutingPolicy;
  /** What the door wants back; text when absent. Endpoints of the other kind are excluded. */
  output?: OutputModality;
  /** Which providers have their credential (credentialReadiness); every one when absent. */
  credentialReady?: CredentialReadiness;
}

interface ModelGroup {
  requested: RequestedModel;
  endpoints: Endpoint[];
}

/**
 * Throws a 400 GatewayError for an unknown model id, and a 404 whose
 * `metadata.excluded_by` lists every filtered endpoint when nothing is left.
 */
export function attemptPlan(input: PlanInput): AttemptPlan {
  const policy = input.policy ?? defaultRoutingPolicy;
  const preferences: ProviderPreferences = input.request.provider ?? {};
  const health = healthLookup(input.health, input.now);
  const failedRecently = (endpoint: Endpoint): boolean => {
    const { lastFailureAt } = health(endpoint);
    return lastFailureAt !== undefined && input.now - lastFailureAt < policy.recentFailureMs;
  };
  const breakerClosed = (endpoint: Endpoint): boolean => !health(endpoint).degraded;
  const isHealthy = (endpoint: Endpoint): boolean => breakerClosed(endpoint) && !failedRecently(endpoint);

  const { groups, excluded, reasons, unready } = filterEndpoints(input, preferences);
  if (groups.every((group) => group.endpoints.length === 0)) {
    throw unready.length > 0 ? noCredentialError(groups.map((group) => group.requested.requested), unready) : noEndpoints(groups, excluded, reasons);
  }

  const sortBy = explicitSort(preferences);
  const partition = typeof preferences.sort === 'object' ? preferences.sort.partition : input.request.route === 'sort' ? 'none' : undefined;
  const ordered = preferences.order;

  const arrange = (endpoints: readonly Endpoint[], key: SortKey | undefined): Endpoint[] => {
    if (ordered !== undefined) {
      return orderedByPreference(endpoints, ordered, (rest) => (key !== undefined ? sortEndpoints(rest, key, health) : cheapestFirst(rest)));
    }
    if (key !== undefined) return sortEndpoints(endpoints, key, health);
    return [...priceWeightedDraw(endpoints.filter(isHealthy), input.random), ...cheapestFirst(endpoints.filter((endpoint) => !isHealthy(endpoint)))];
  };
  const demote = (endpoints: Endpoint[]): Endpoint[] => {
    const meets = meetsPreferences(preferences, health);
    const preferred = meets === undefined ? endpoints : passingFirst(endpoints, meets);
    // Broken endpoints go last; an explicit `order` is followed as written
    // except that an open breaker outranks it: waiting out the timeout of an
    // endpoint known to be down helps no one when another can answer.
    return passingFirst(preferred, ordered === undefined ? isHealthy : breakerClosed);
  };

  let attempts: Endpoint[];
  if (partition === 'none' && sortBy !== undefined && ordered === undefined) {
    attempts = demote(arrange(groups.flatMap((group) => group.endpoints), sortBy));
  } else {
    attempts = groups.flatMap((group) => {
      const key = group.requested.variantSort ?? sortBy;
      const endpoints = demote(arrange(group.endpoints, key));
      // `order` and `sort` replace stickiness (§3.4).
      return ordered === undefined && key === undefined ? stickyFirst(endpoints, group, input, isHealthy) : endpoints;
    });
  }

  const primaryOnly = preferences.allow_fallbacks === false && ordered === undefined && preferences.only === undefined;
  const planned = primaryOnly ? attempts.slice(0, 1) : attempts;
  const deprioritized: DeprioritizedEndpoint[] = [];
  for (const endpoint of planned) {
    const reason = !breakerClosed(endpoint) ? 'breaker_open' : ordered === undefined && failedRecently(endpoint) ? 'failed_recently' : undefined;
    if (reason !== undefined) deprioritized.push({ endpoint: endpoint.id, provider: endpoint.provider.name, reason });
  }
  return { attempts: planned, excluded, deprioritized };
}

function healthLookup(view: HealthView, now: number): HealthOf {
  const seen = new Map<string, EndpointHealth>();
  return (endpoint) => {
    let state = seen.get(endpoint.id);
    if (state === undefined) {
      state = view.endpoint(endpoint.id, now);
      seen.set(endpoint.id, state);
    }
    return state;
  };
}

function filterEndpoints(input: PlanInput, preferences: ProviderPreferences) {
  const needs = requestNeeds(input.request, input.promptTokens, input.output);
  const excluded: ExcludedEndpoint[] = [];
  const reasons: Exclusion[] = [];
  const unready: Endpoint[] = [];
  const exclude = (endpoint: Endpoint, exclusion: Exclusion): void => {
    excluded.push({ endpoint: endpoint.id, provider: endpoint.provider.name, model: endpoint.modelId, excludedBy: exclusion.excludedBy });
    reasons.push(exclusion);
  };
  const groups: ModelGroup[] = requestedModels(input.request, input.catalog).map((requested) => {
    let endpoints: Endpoint[] = [];
    for (const endpoint of requested.model.endpoints) {
      const exclusion = hardFilter(endpoint, needs, preferences);
      if (exclusion === undefined) endpoints.push(endpoint);
      else exclude(endpoint, exclusion);
    }
    if (preferences.require_parameters !== true) {
      const narrowed = narrowToSupporting(endpoints, needs);
      narrowed.forEach((exclusion, endpoint) => exclude(endpoint, exclusion));
      endpoints = endpoints.filter((endpoint) => !narrowed.has(endpoint));
    }
    // Last, so that an endpoint excluded here is one that could otherwise have served.
    const split = splitByCredential(endpoints, input.credentialReady);
    for (const endpoint of split.unready) exclude(endpoint, missingCredentialExclusion(endpoint));
    unready.push(...split.unready);
    return { requested, endpoints: split.ready };
  });
  return { groups, excluded, reasons, unready };
}

function explicitSort(preferences: ProviderPreferences): SortKey | undefined {
  const sort = preferences.sort;
  return sort === undefined ? undefined : typeof sort === 'string' ? sort : sort.by;
}

function stickyFirst(endpoints: Endpoint[], group: ModelGroup, input: PlanInput, isHealthy: (endpoint: Endpoint) => boolean): Endpoint[] {
  if (input.sessionKey === undefined) return endpoints;
  const stickyId = input.sticky.get(input.sessionKey, group.requested.model.id, input.now);
  const sticky = endpoints.find((endpoint) => endpoint.id === stickyId);
  // A sticky endpoint that is down gives way to the next best (§3.4).
  if (sticky === undefined || !isHealthy(sticky)) return endpoints;
  return [sticky, ...endpoints.filter((endpoint) => endpoint !== sticky)];
}

function noEndpoints(groups: readonly ModelGroup[], excluded: readonly ExcludedEndpoint[], reasons: readonly Exclusion[]): GatewayError {
  const models = groups.map((group) => group.requested.requested);
  const messages = [...new Set(reasons.map((reason) => reason.message))];
  const filters = [...new Set(reasons.map((reason) => reason.excludedBy))];
  const message =
    messages.length === 1 && messages[0] !== undefined
      ? messages[0]
      : `No endpoints found for ${models.join(', ')} that satisfy the request (excluded by ${filters.join(', ')})`;
  return notFound(message, {
    requested_models: models,
    excluded_by: excluded.map((entry) => ({
      endpoint: entry.endpoint,
      provider: entry.provider,
      model: entry.model,
      excluded_by: entry.excludedBy,
    })),
  });
}
