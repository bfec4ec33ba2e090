// One request's state as it goes down the pipeline: what it asked, what was
// held, which attempts ran, what came back, and so what it costs.
import type { ChatRequest } from '../api/chat-request.ts';
import type { GatewayError } from '../api/errors.ts';
import type { Endpoint } from '../catalog/catalog.ts';
import { costOf, type CostBreakdown } from '../billing/cost.ts';
import type { AttemptRecord } from '../routing/attempt-loop.ts';
import type { DeprioritizedEndpoint } from '../routing/types.ts';
import type { Admission } from '../billing/credit-ledger.ts';
import type { KeyRecord } from '../store/keys.ts';
import { emptyUsage, type StreamEvent, type Usage } from '../streaming/events.ts';
import { countPromptTokens } from '../tokens/prompt-tokens.ts';
import type { TokenCounters } from '../tokens/token-counters.ts';
import type { BilledUsage, GenerationMeta, ReplyView } from './door.ts';

export interface Generation {
  id: string;
  startedAt: number;
  /** Unix seconds, for `created`. */
  created: number;
  streamed: boolean;
  key: KeyRecord | undefined;
  request: ChatRequest | undefined;
  /** The caller's session id (body `session_id`, header `x-session-id`, `prompt_cache_key`). */
  sessionId: string | undefined;
  /** The sticky-routing key: the session id scoped to the account. */
  sessionKey: string | undefined;
  /** Prompt tokens as estimated before any provider counted them. */
  promptEstimate: number;
  /** How the request's worst case was admitted: its own hold, or a lease. */
  admission: Admission | undefined;
  endpoint: Endpoint | undefined;
  attempts: AttemptRecord[];
  /** Endpoints the plan moved behind the healthy ones, and why. */
  deprioritized: DeprioritizedEndpoint[];
  /** Usage the provider reported; undefined until (unless) it does. */
  usage: Usage | undefined;
  /** What was delivered, piece by piece (text, reasoning, refusal, tool names and arguments): counted only when the provider reports no usage. */
  delivered: string[];
  /** Prompt and delivered tokens as the endpoint's tokenizer counts them, when the provider reported no usage. */
  counted: { promptTokens: number; completionTokens: number } | undefined;
  finishReason: string | null;
  nativeFinishReason: string | null;
  status: number;
  error: GatewayError | undefined;
  firstByteAt: number | undefined;
  cancelled: boolean;
  finished: boolean;
  /** Lets go of the request's signal (its deadline timer), once the request is finished. */
  releaseSignal: (() => void) | undefined;
}

export function newGeneration(id: string, now: number, streamed: boolean): Generation {
  return {
    id,
    startedAt: now,
    created: Math.floor(now / 1000),
    streamed,
    key: undefined,
    request: undefined,
    sessionId: undefined,
    sessionKey: undefined,
    promptEstimate: 0,
    admission: undefined,
    endpoint: undefined,
    attempts: [],
    deprioritized: [],
    usage: undefined,
    delivered: [],
    counted: undefined,
    finishReason: null,
    nativeFinishReason: null,
    status: 200,
    error: undefined,
    firstByteAt: undefined,
    cancelled: false,
    finished: false,
    releaseSignal: undefined,
  };
}

/** Follow the events a client receives: the finish reason, usage and how much output was delivered. */
export function observe(generation: Generation, event: StreamEvent): void {
  switch (event.type) {
    case 'text':
    case 'reasoning':
    case 'refusal':
      generation.delivered.push(event.text);
      return;
    case 'tool-call-start':
      generation.delivered.push(event.name);
      return;
    case 'tool-call-delta':
      generation.delivered.push(event.arguments);
      return;
    case 'finish':
      generation.finishReason = event.reason;
      generation.nativeFinishReason = event.nativeReason;
      generation.usage = event.usage;
      return;
    case 'error':
      generation.finishReason = 'error';
      generation.error = event.error;
      return;
    case 'start':
    case 'reasoning-signature':
    case 'reasoning-encrypted':
      return;
  }
}

/**
 * The usage to bill. Without a provider report (a cut-off, a cancelled
 * request, a host that sends none), the tokenizer's count of the prompt and
 * of what was delivered stands in (`countUnreported`), else the prompt
 * estimate and one token per delivered piece. Nothing is billed when nothing
 * was generated and the request failed (zero-completion insurance, as
 * OpenRouter does).
 */
export function billableUsage(generation: Generation): Usage {
  if (generation.endpoint === undefined) return emptyUsage();
  const usage = generation.usage ?? {
    ...emptyUsage(),
    promptTokens: generation.counted?.promptTokens ?? generation.promptEstimate,
    completionTokens: generation.counted?.completionTokens ?? generation.delivered.length,
  };
  const failed = generation.finishReason === 'error' || generation.finishReason === null;
  if (failed && usage.completionTokens === 0) return emptyUsage();
  return usage;
}

/**
 * Count the prompt and the delivered output with the endpoint's tokenizer
 * when the provider reported no usage. Never runs (and never loads a
 * tokenizer) for a reply whose provider reported it.
 */
export async function countUnreported(generation: Generation, counters: TokenCounters): Promise<void> {
  const { endpoint, request } = generation;
  if (generation.usage !== undefined || generation.counted !== undefined || endpoint === undefined || request === undefined) return;
  const counter = await counters.forEncoding(endpoint.tokenEncoding);
  generation.counted = { promptTokens: countPromptTokens(request, counter), completionTokens: counter.countText(generation.delivered.join('')) };
}

export function generationCost(generation: Generation): CostBreakdown {
  if (generation.endpoint === undefined) return { promptMicros: 0, completionMicros: 0, totalMicros: 0 };
  return costOf(billableUsage(generation), generation.endpoint.pricing);
}

export function billed(generation: Generation): BilledUsage {
  return { usage: billableUsage(generation), cost: generationCost(generation) };
}

/** The names a reply carries: the endpoint that served it (or, when none did, the last one tried). */
export function generationMeta(generation: Generation, endpoint: Endpoint | undefined = generation.endpoint): GenerationMeta {
  return {
    id: generation.id,
    created: generation.created,
    model: endpoint?.modelId ?? generation.request?.model ?? '',
    provider: endpoint?.provider.name ?? '',
  };
}

export function replyView(generation: Generation): ReplyView {
  const request = generation.request;
  return {
    includeReasoning: request === undefined || (request.reasoning?.exclude !== true && request.include_reasoning !== false),
    request,
  };
}
