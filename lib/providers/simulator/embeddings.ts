// Embeddings on the simulated OpenAI and Gemini wires: `POST /embeddings`
// (OpenAI: floats, or little-endian float32 base64 with
// `encoding_format: "base64"`) and `POST /v1beta/models/<model>:batchEmbedContents`
// or `:embedContent` (Gemini, which reports no token counts). Each vector is
// seeded by its input text, so the same text always gets the same vector,
// of unit length, as real embedding models return. A reply comes after
// `firstTokenMs`; the provider's failures apply as to any other reply.
import { z } from 'zod';
import type { SimulatorBehaviour } from '../../catalog/schema.ts';
import { encodeFloat32Base64 } from '../../embeddings/vectors.ts';
import type { SimulatedFailure } from './behaviour.ts';
import { hashText, seededRandom } from './deterministic.ts';
import { pause, playStream, type PlannedStream, type ReplyOutcome, type Sleep } from './paced-stream.ts';
import { clientClosedResponse, errorResponse } from './respond.ts';
import { countPromptTokens } from './simulated-request.ts';
import { describeIssues, type ReplyContext, type SimulatorWire } from './wire.ts';

/** Length of a simulated vector when the request does not ask for one. */
export const SIMULATED_DIMENSIONS = 256;
/** The longest vector the simulator makes: as long as the longest real ones. */
const MAX_DIMENSIONS = 4096;

export type EmbeddingCallKind = 'openai' | 'gemini-batch' | 'gemini-single';

/** The embeddings endpoint a path names on a wire, if it is one. */
export function embeddingCallKind(wireKind: SimulatorWire['kind'], method: string, path: string): EmbeddingCallKind | undefined {
  if (method !== 'POST') return undefined;
  if (wireKind === 'openai' && /^(\/v1)?\/embeddings$/.test(path)) return 'openai';
  if (wireKind !== 'gemini') return undefined;
  const match = /^\/v1(beta)?\/models\/[^/:]+:(batchEmbedContents|embedContent)$/.exec(path);
  if (match === null) return undefined;
  return match[2] === 'batchEmbedContents' ? 'gemini-batch' : 'gemini-single';
}

const dimensions = z.number().int().min(1).max(MAX_DIMENSIONS).nullish();
const openaiRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions,
});
const geminiContent = z.looseObject({ content: z.looseObject({ parts: z.array(z.looseObject({ text: z.string() })).min(1) }), outputDimensionality: dimensions });
const geminiBatchRequest = z.looseObject({ requests: z.array(geminiContent).min(1) });

export interface EmbeddingTask {
  model: string | undefined;
  inputs: { text: string; dimensions: number }[];
  base64: boolean;
}

export interface EmbeddingReplyInput {
  kind: EmbeddingCallKind;
  task: EmbeddingTask;
  wire: SimulatorWire;
  behaviour: SimulatorBehaviour;
  failure: SimulatedFailure | undefined;
  context: ReplyContext;
  signal: AbortSignal;
  sleep: Sleep;
  settle: (outcome: ReplyOutcome) => void;
}

export async function respondEmbeddings(input: EmbeddingReplyInput): Promise<Response> {
  const { failure, wire, context, task } = input;
  if (failure?.mode === 'status') {
    input.settle('failed');
    return errorResponse(wire, failure.status, context, { retryAfterSeconds: failure.retryAfterSeconds });
  }
  if (failure?.mode === 'stall') {
    // Accepts the request and never answers: the caller's timeout must fire.
    await new Promise<void>((resolve) => {
      if (input.signal.aborted) resolve();
      else input.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    input.settle('aborted');
    return clientClosedResponse();
  }
  if (await pause(input.sleep, input.behaviour.firstTokenMs, input.signal)) {
    input.settle('aborted');
    return clientClosedResponse();
  }
  const body = failure?.mode === 'error-event' ? wire.errorEvent(context).body : replyBody(input.kind, task);
  const half = body.slice(0, Math.floor(body.length / 2));
  const planned: PlannedStream =
    failure === undefined
      ? { frames: [{ text: body, tokens: 0 }], ending: 'close', outcome: 'completed' }
      : failure.mode === 'error-event'
        ? { frames: [{ text: body, tokens: 0 }], ending: 'close', outcome: 'failed' }
        : { frames: [{ text: half, tokens: 0 }], ending: failure.mode === 'drop' ? 'error' : 'close', outcome: 'failed' };
  const stream = playStream(planned, { pacing: { firstTokenMs: 0, tokensPerSecond: 0 }, sleep: input.sleep, signal: input.signal, settle: input.settle });
  return new Response(stream, { status: 200, headers: { 'content-type': wire.jsonContentType, ...wire.responseHeaders(context) } });
}

/** The inputs and their lengths, or the 400 message naming the field. */
export function readEmbeddingTask(kind: EmbeddingCallKind, body: unknown): EmbeddingTask | string {
  if (kind === 'openai') {
    const parsed = openaiRequest.safeParse(body);
    if (!parsed.success) return describeIssues(parsed.error);
    const texts = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
    const length = parsed.data.dimensions ?? SIMULATED_DIMENSIONS;
    return { model: parsed.data.model, inputs: texts.map((text) => ({ text, dimensions: length })), base64: parsed.data.encoding_format === 'base64' };
  }
  const batch = kind === 'gemini-batch' ? geminiBatchRequest.safeParse(body) : geminiBatchRequest.safeParse({ requests: [body] });
  if (!batch.success) return describeIssues(batch.error);
  const { requests } = batch.data;
  return {
    model: undefined,
    inputs: requests.map((request) => ({
      text: request.content.parts.map((part) => part.text).join(''),
      dimensions: request.outputDimensionality ?? SIMULATED_DIMENSIONS,
    })),
    base64: false,
  };
}

function replyBody(kind: EmbeddingCallKind, task: EmbeddingTask): string {
  const vectors = task.inputs.map((entry) => simulatedVector(entry.text, entry.dimensions));
  if (kind === 'gemini-single') return JSON.stringify({ embedding: { values: vectors[0] } }, null, 2);
  if (kind === 'gemini-batch') return JSON.stringify({ embeddings: vectors.map((values) => ({ values })) }, null, 2);
  const promptTokens = countPromptTokens(task.inputs.map((entry) => entry.text));
  return JSON.stringify(
    {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: task.base64 ? encodeFloat32Base64(vector) : vector })),
      model: task.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    null,
    2,
  );
}

/**
 * A unit vector seeded by the text, each component a float32 (as real
 * providers send them), so base64 and JSON numbers carry the same values.
 */
export function simulatedVector(text: string, length: number): number[] {
  const random = seededRandom(hashText(text));
  const raw = Array.from({ length }, () => random() * 2 - 1);
  const norm = Math.sqrt(raw.reduce((sum, value) => sum + value * value, 0)) || 1;
  return raw.map((value) => Math.fround(value / norm));
}
