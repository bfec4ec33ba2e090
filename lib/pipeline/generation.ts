// One request's state as it goes down the pipeline: who asked and what, what
// was held, which attempts ran, what came back, how it ended, and so what it
// costs.
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

/**
 * One generation, in sections that each have one writer, in the order the
 * pipeline runs (run.ts):
 *
 *   caller, asked, admission   steps 1–3 (run.ts), each set once
 *   reply                      steps 4–5, the delivery: attempts and what reached the client (`observe`)
 *   ending                     how it ended, decided once (`endGeneration`)
 *
 * The record (settle.ts) is read from the sections; nothing after settle
 * writes to it.
 */
export interface Generation {
  readonly id: string;
  readonly startedAt: number;
  /** Unix seconds, for `created`. */
  readonly created: number;
  /** Whether the body asked for a stream: read before it is validated, so a refusal's record has it too. */
  streamed: boolean;
  caller: KeyRecord | undefined;
  asked: Asked | undefined;
  /** How the request's worst case was admitted: its own hold, or a lease. */
  admission: Admission | undefined;
  /** Step 2, plan: the endpoints it moved behind the healthy ones, and why (set once, in run.ts). */
  deprioritized: readonly DeprioritizedEndpoint[];
  /** Step 4: lets go of the request's signal (its deadline timer); called once, when the generation settles. */
  releaseSignal: (() => void) | undefined;
  readonly reply: ReplyTrace;
  ending: Ending | undefined;
}

/** Step 1, decode: the canonical request and what is known of it before any provider counts it. */
export interface Asked {
  readonly request: ChatRequest;
  /** The caller's session id (body `session_id`, header `x-session-id`, `prompt_cache_key`). */
  readonly sessionId: string | undefined;
  /** The sticky-routing key: the session id scoped to the account. */
  readonly sessionKey: string | undefined;
  /** Prompt tokens as estimated before any provider counted them. */
  readonly promptEstimate: number;
}

/** Steps 4–5: the attempts, and what the committed one delivered. Written by the delivery. */
export interface ReplyTrace {
  attempts: AttemptRecord[];
  endpoint: Endpoint | undefined;
  /** Usage the provider reported; undefined until (unless) it does. */
  usage: Usage | undefined;
  /** What was delivered, piece by piece (text, reasoning, refusal, tool names and arguments): counted only when the provider reports no usage. */
  delivered: string[];
  /** Prompt and delivered tokens as the endpoint's tokenizer counts them, when the provider reported no usage (`countUnreported`). */
  counted: { promptTokens: number; completionTokens: number } | undefined;
  finishReason: string | null;
  nativeFinishReason: string | null;
  /** An in-band error the reply ended with (after the commit point). */
  error: GatewayError | undefined;
  firstByteAt: number | undefined;
}

/** How a generation ended, as its record keeps it. */
export interface Ending {
  /** The reply's status; 499 for a client that went away, 408 for the deadline. */
  readonly status: number;
  /** Why it failed, when it did. */
  readonly error: GatewayError | undefined;
  /** The client went away before the reply was whole. */
  readonly cancelled: boolean;
}

export function newGeneration(id: string, now: number): Generation {
  return {
    id,
    startedAt: now,
    created: Math.floor(now / 1000),
    streamed: false,
    caller: undefined,
    asked: undefined,
    admission: undefined,
    deprioritized: [],
    releaseSignal: undefined,
    reply: {
      attempts: [],
      endpoint: undefined,
      usage: undefined,
      delivered: [],
      counted: undefined,
      finishReason: null,
      nativeFinishReason: null,
      error: undefined,
      firstByteAt: undefined,
    },
    ending: undefined,
  };
}

/** Decide how the generation ended: the first decision stands (a late abort does not rewrite a reply already whole). */
export function endGeneration(generation: Generation, ending: Ending): void {
  generation.ending ??= ending;
}

export const served = (status = 200): Ending => ({ status, error: undefined, cancelled: false });
export const failed = (error: GatewayError, status = error.status): Ending => ({ status, error, cancelled: false });

/** Follow the events a client receives: the finish reason, usage and how much output was delivered. */
export function observe(reply: ReplyTrace, event: StreamEvent): void {
  switch (event.type) {
    case 'text':
    case 'reasoning':
    case 'refusal':
      reply.delivered.push(event.text);
      return;
    case 'tool-call-start':
      reply.delivered.push(event.name);
      return;
    case 'tool-call-delta':
      reply.delivered.push(event.arguments);
      return;
    case 'finish':
      reply.finishReason = event.reason;
      reply.nativeFinishReason = event.nativeReason;
      reply.usage = event.usage;
      return;
    case 'error':
      reply.finishReason = 'error';
      reply.error = event.error;
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
  const { reply } = generation;
  if (reply.endpoint === undefined) return emptyUsage();
  const usage = reply.usage ?? {
    ...emptyUsage(),
    promptTokens: reply.counted?.promptTokens ?? generation.asked?.promptEstimate ?? 0,
    completionTokens: reply.counted?.completionTokens ?? reply.delivered.length,
  };
  const unfinished = reply.finishReason === 'error' || reply.finishReason === null;
  if (unfinished && usage.completionTokens === 0) return emptyUsage();
  return usage;
}

/**
 * Count the prompt and the delivered output with the endpoint's tokenizer
 * when the provider reported no usage. Never runs (and never loads a
 * tokenizer) for a reply whose provider reported it.
 */
export async function countUnreported(generation: Generation, counters: TokenCounters): Promise<void> {
  const { reply } = generation;
  const { endpoint } = reply;
  const request = generation.asked?.request;
  if (reply.usage !== undefined || reply.counted !== undefined || endpoint === undefined || request === undefined) return;
  const counter = await counters.forEncoding(endpoint.tokenEncoding);
  reply.counted = { promptTokens: countPromptTokens(request, counter), completionTokens: counter.countText(reply.delivered.join('')) };
}

export function generationCost(generation: Generation): CostBreakdown {
  const { endpoint } = generation.reply;
  if (endpoint === undefined) return { promptMicros: 0, completionMicros: 0, totalMicros: 0 };
  return costOf(billableUsage(generation), endpoint.pricing);
}

export function billed(generation: Generation): BilledUsage {
  return { usage: billableUsage(generation), cost: generationCost(generation) };
}

/** The names a reply carries: the endpoint that served it (or, when none did, the last one tried). */
export function generationMeta(generation: Generation, endpoint: Endpoint | undefined = generation.reply.endpoint): GenerationMeta {
  return {
    id: generation.id,
    created: generation.created,
    model: endpoint?.modelId ?? generation.asked?.request.model ?? '',
    provider: endpoint?.provider.name ?? '',
  };
}

export function replyView(generation: Generation): ReplyView {
  const request = generation.asked?.request;
  return {
    includeReasoning: request === undefined || !request.reasoning.exclude,
    request,
  };
}
