// The provider simulator: a fetch-style handler that serves every simulated
// provider of a catalog under `/<providerId>`, in the provider's own wire
// format, with the latency, token rate and failures its behaviour sets.
import type { Catalog, Provider } from '../../catalog/catalog.ts';
import { simulatorBehaviour, type SimulatorBehaviour } from '../../catalog/schema.ts';
import { anthropicWire } from './anthropic-wire.ts';
import { applyOverrides, failureFor, readOverrides } from './behaviour.ts';
import { embeddingCallKind, readEmbeddingTask, respondEmbeddings } from './embeddings.ts';
import { geminiWire } from './gemini-wire.ts';
import { isLegacyCompletionsPath, openaiCompletionsWire } from './openai-completions-wire.ts';
import { isResponsesPath, openaiResponsesWire } from './openai-responses-wire.ts';
import { openaiWire } from './openai-wire.ts';
import { realSleep, type ReplyOutcome, type Sleep } from './paced-stream.ts';
import { planReply } from './reply-plan.ts';
import { errorResponse, respond } from './respond.ts';
import type { ReplyContext, SimulatedWireKind, SimulatorWire } from './wire.ts';

export interface SimulatorOptions {
  /** Simulated providers are those with a `simulator` entry; their base URLs do not matter here. */
  catalog: Catalog;
  /** Milliseconds since the epoch, for `created` timestamps. */
  now?: () => number;
  /** Waits `ms`, returning early (or rejecting) when `signal` aborts. Inject one to test pacing without waiting. */
  sleep?: Sleep;
  /** Called once per reply when it completed, failed or was abandoned: lets a test wait for an outcome. */
  onReplySettled?: (report: { providerId: string; outcome: ReplyOutcome }) => void;
}

export interface SimulatorStats {
  /** Requests addressed to the provider. */
  requests: number;
  /** Replies sent in full. */
  completed: number;
  /** Replies the client gave up on before they finished (the request's signal aborted). */
  aborted: number;
  /** Replies that failed: simulated failures, and requests the simulator refused (400, 404). */
  failed: number;
}

export interface Simulator {
  handle(request: Request): Promise<Response>;
  stats(providerId: string): SimulatorStats;
  /** Replace a provider's behaviour at run time; `undefined` restores the catalog's. Restarts the failure-rate count. */
  setBehaviour(providerId: string, behaviour: SimulatorBehaviour | undefined): void;
}

const WIRES: Readonly<Record<SimulatedWireKind, SimulatorWire>> = { openai: openaiWire, anthropic: anthropicWire, gemini: geminiWire };

export function createSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const overrides = new Map<string, SimulatorBehaviour>();
  const counters = new Map<string, SimulatorStats>();
  /** Requests since each provider's behaviour was last set: drives `failureRate`. */
  const failureCounters = new Map<string, number>();
  let requestSequence = 0;

  function countersFor(providerId: string): SimulatorStats {
    let stats = counters.get(providerId);
    if (stats === undefined) {
      stats = { requests: 0, completed: 0, aborted: 0, failed: 0 };
      counters.set(providerId, stats);
    }
    return stats;
  }

  function simulated(providerId: string): { provider: Provider; behaviour: SimulatorBehaviour; wire: SimulatorWire } | undefined {
    const provider = options.catalog.providers.get(providerId);
    const behaviour = overrides.get(providerId) ?? provider?.simulator;
    if (provider === undefined || behaviour === undefined || provider.kind === 'bedrock') return undefined;
    return { provider, behaviour, wire: WIRES[provider.kind] };
  }

  async function handle(request: Request): Promise<Response> {
    requestSequence++;
    const url = new URL(request.url);
    const { providerId, path } = splitPath(url.pathname);
    const context: ReplyContext = { requestKey: `${providerId}#${requestSequence}`, created: Math.floor(now() / 1000) };
    const target = simulated(providerId);
    if (target === undefined) {
      const wire = Object.values(WIRES).find((candidate) => candidate.kind !== 'openai' && candidate.claims(path)) ?? openaiWire;
      return errorResponse(wire, 404, context, { message: `No simulated provider "${providerId}" (the path starts with the provider id)` });
    }
    // The legacy completions and the Responses endpoints speak their own events on an OpenAI-kind provider.
    const wire = target.wire.kind !== 'openai' ? target.wire : isLegacyCompletionsPath(path) ? openaiCompletionsWire : isResponsesPath(path) ? openaiResponsesWire : target.wire;
    const stats = countersFor(providerId);
    stats.requests++;
    let settled = false;
    const settle = (outcome: ReplyOutcome): void => {
      if (settled) return;
      settled = true;
      stats[outcome]++;
      options.onReplySettled?.({ providerId, outcome });
    };
    const refuse = (status: number, message: string): Response => {
      settle('failed');
      return errorResponse(wire, status, context, { message });
    };

    const embeddingKind = embeddingCallKind(wire.kind, request.method, path);
    const endpoint = embeddingKind === undefined ? wire.endpoint(request.method, path, url.searchParams) : {};
    if (endpoint === undefined) return refuse(404, `The simulator has no ${request.method} ${path} on the ${wire.kind} wire`);
    if (endpoint.unsupported !== undefined) return refuse(400, endpoint.unsupported);
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return refuse(400, 'The request body is not valid JSON');
    }
    if (embeddingKind !== undefined) {
      const task = readEmbeddingTask(embeddingKind, body);
      if (typeof task === 'string') return refuse(400, task);
      const embeddingOverrides = readOverrides(request.headers);
      if (!embeddingOverrides.ok) return refuse(400, embeddingOverrides.message);
      const embeddingNumber = (failureCounters.get(providerId) ?? 0) + 1;
      failureCounters.set(providerId, embeddingNumber);
      const behaviour = applyOverrides(target.behaviour, embeddingOverrides.overrides);
      const failure = failureFor(behaviour, embeddingOverrides.overrides, embeddingNumber);
      return respondEmbeddings({ kind: embeddingKind, task, wire, behaviour, failure, context, signal: request.signal, sleep, settle });
    }
    const parsed = wire.parseRequest(body, endpoint);
    if (!parsed.ok) return refuse(400, parsed.message);
    const requestOverrides = readOverrides(request.headers);
    if (!requestOverrides.ok) return refuse(400, requestOverrides.message);

    const requestNumber = (failureCounters.get(providerId) ?? 0) + 1;
    failureCounters.set(providerId, requestNumber);
    const behaviour = applyOverrides(target.behaviour, requestOverrides.overrides);
    return respond({
      wire,
      request: parsed.request,
      plan: planReply(parsed.request, behaviour.outputTokens),
      behaviour,
      failure: failureFor(behaviour, requestOverrides.overrides, requestNumber),
      context,
      signal: request.signal,
      sleep,
      settle,
    });
  }

  return {
    handle,
    stats: (providerId) => ({ ...countersFor(providerId) }),
    setBehaviour(providerId, behaviour) {
      const provider = options.catalog.providers.get(providerId);
      if (provider === undefined) throw new Error(`No provider "${providerId}" in the catalog`);
      if (provider.kind === 'bedrock') throw new Error(`Provider "${providerId}" speaks the bedrock wire, which the simulator does not`);
      if (behaviour === undefined) overrides.delete(providerId);
      else overrides.set(providerId, simulatorBehaviour.parse(behaviour));
      failureCounters.delete(providerId);
    },
  };
}

/** `/simulator/chat/completions` → `simulator` and `/chat/completions`. */
function splitPath(pathname: string): { providerId: string; path: string } {
  const match = /^\/([^/]*)(.*)$/.exec(pathname);
  return { providerId: match?.[1] ?? '', path: match?.[2] ?? '' };
}
