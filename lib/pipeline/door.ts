// A door is one inference wire the gateway speaks (OpenAI chat completions,
// the Responses API, Anthropic Messages, legacy completions; embeddings,
// below, with a door shape of its own). Every door opens
// onto the same pipeline (run.ts): a door only translates, at the way in (its
// body → the canonical chat request) and at the way out (canonical events →
// its SSE frames or its JSON body, its errors in its own shape). Routing,
// credits, attempts, the commit point and the records are the pipeline's.
import type { ChatRequest } from '../api/chat-request.ts';
import type { GatewayError } from '../api/errors.ts';
import type { HeaderReader, Reply } from '../api/reply.ts';
import type { CostBreakdown } from '../billing/cost.ts';
import type { EmbeddingInputType } from '../providers/types.ts';
import type { StreamEvent, Usage } from '../streaming/events.ts';

/** What names one generation on every wire. */
export interface GenerationMeta {
  /** `gen-…` */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The catalog model that serves the request (before the commit point: the one asked for). */
  model: string;
  /** The provider's display name ('' before an attempt committed). */
  provider: string;
}

/** Usage as billed: the token counts and what they cost. */
export interface BilledUsage {
  usage: Usage;
  cost: CostBreakdown;
}

/** How much of the reply the caller asked to see. */
export interface ReplyView {
  /** false hides reasoning text (`reasoning.exclude`, `include_reasoning: false`); signatures always pass. */
  includeReasoning: boolean;
  /** The canonical request, for doors whose reply echoes what was asked (the Responses API's `tools`, `temperature`, …). */
  request?: ChatRequest;
}

export interface DecodedRequest {
  /** The canonical request every later step reads. */
  request: ChatRequest;
  /** Whether the caller asked for a stream. */
  stream: boolean;
}

/** Canonical events → one door's SSE frames, for one generation. Each method returns '' when it has nothing to send. */
export interface StreamEncoder {
  /** Frames that open the stream, before the first event (`response.created`, `message_start`). */
  open(): string;
  encode(event: StreamEvent): string;
  /** Frames after a successful finish: the usage (with cost) and the door's terminator. */
  close(billed: BilledUsage): string;
  /**
   * Frames that end the stream after a failure: one in-band error and the
   * terminator. Past the commit point `billed` is what the generation is
   * charged so far, for the wires that can say so in-band; undefined when
   * nothing was (every attempt failed after keep-alives began).
   */
  fail(error: GatewayError, billed: BilledUsage | undefined): string;
}

/** Canonical events → one door's JSON body. */
export interface JsonAssembler {
  add(event: StreamEvent): void;
  body(billed: BilledUsage): string;
  /**
   * The reply's status; 200 when absent. A wire with no way to say "failed
   * part-way" inside a body (Anthropic's) answers a failure past the commit
   * point with the error's status instead.
   */
  status?(): number;
}

export interface Door {
  /** Names the door in records and logs: `chat`, `responses`, `messages`, `completions`. */
  readonly name: string;
  /** A comment frame sent while no attempt has committed yet. */
  readonly keepAliveFrame: string;
  /** The parsed JSON body → the canonical request; throws a 400 GatewayError naming the field. */
  decode(body: unknown, headers: HeaderReader): DecodedRequest;
  streamEncoder(meta: GenerationMeta, view: ReplyView): StreamEncoder;
  jsonAssembler(meta: GenerationMeta, view: ReplyView): JsonAssembler;
  /** A failure before any byte was sent, as this door's error reply (status, body). */
  errorReply(error: GatewayError, headers: Record<string, string>): Reply;
}

/** The /embeddings body, decoded: what routing, the hold and the records read, and what the adapters embed. */
export interface DecodedEmbeddings {
  /** The canonical request planning, the credit hold and the records read: each input one user message. It never reaches an adapter. */
  request: ChatRequest;
  /** The texts to embed, in order; none is empty. */
  inputs: readonly string[];
  dimensions: number | undefined;
  inputType: EmbeddingInputType | undefined;
  user: string | undefined;
  /** Estimated tokens of each input, before any provider counted them. */
  tokensPerInput: readonly number[];
}

/** The embeddings reply's parts, as the door writes them into its body. */
export interface EmbeddingsReplyParts {
  meta: GenerationMeta;
  vectors: readonly (readonly number[])[];
  billed: BilledUsage;
}

/**
 * The embeddings door: OpenAI's /embeddings wire onto the same pipeline
 * steps (key, plan, hold, the shared attempt loop, settle) with a delivery
 * of its own (lib/pipeline/deliver-embeddings.ts): one JSON body, once
 * every vector is in hand.
 */
export interface EmbeddingsDoor {
  readonly name: 'embeddings';
  /** The parsed JSON body → what the steps read, and the reply body's writer for this request; throws a 400 GatewayError naming the field. */
  decode(body: unknown): { decoded: DecodedEmbeddings; replyBody: (parts: EmbeddingsReplyParts) => string };
  errorReply(error: GatewayError, headers: Record<string, string>): Reply;
}
