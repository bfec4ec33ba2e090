// What a client sees of a reply, independent of the wire that served it: the
// key structure of a chunk, tool calls assembled from deltas the way the
// openai client's users do it, and the cost the catalog's prices imply.
import type OpenAI from 'openai';

export type Shape = string | Shape[] | { [key: string]: Shape };

/**
 * A value's structure without its content: objects keep their keys (sorted),
 * arrays their elements' shapes, and every leaf becomes its JSON type.
 */
export function chunkShape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(chunkShape);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries.map(([key, inner]) => [key, chunkShape(inner)]));
  }
  return typeof value;
}

export async function collectChunks(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<OpenAI.ChatCompletionChunk[]> {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

export const textOf = (chunks: readonly OpenAI.ChatCompletionChunk[]): string =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

export const finishReasons = (chunks: readonly OpenAI.ChatCompletionChunk[]): string[] =>
  chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason).filter((reason) => reason != null));

export type ToolCallDelta = OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall;

export const toolCallDeltas = (chunks: readonly OpenAI.ChatCompletionChunk[]): ToolCallDelta[] =>
  chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);

/**
 * Tool calls as a client rebuilds them: the first delta of an index opens
 * the call with its id, type and name; later deltas only append arguments.
 * Throws when a delta breaks that contract, so a test sees the exact fault.
 */
export function assembleToolCalls(chunks: readonly OpenAI.ChatCompletionChunk[]): OpenAI.ChatCompletionMessageFunctionToolCall[] {
  const calls: OpenAI.ChatCompletionMessageFunctionToolCall[] = [];
  for (const delta of toolCallDeltas(chunks)) {
    const open = calls[delta.index];
    if (open === undefined) {
      if (delta.index !== calls.length) throw new Error(`tool call ${delta.index} opened before ${calls.length}`);
      if (delta.id === undefined || delta.type !== 'function' || delta.function?.name === undefined) {
        throw new Error(`tool call ${delta.index} opened without id, type and name: ${JSON.stringify(delta)}`);
      }
      calls.push({ id: delta.id, type: 'function', function: { name: delta.function.name, arguments: delta.function.arguments ?? '' } });
      continue;
    }
    if (delta.id !== undefined || delta.function?.name !== undefined) throw new Error(`tool call ${delta.index} renamed: ${JSON.stringify(delta)}`);
    open.function.arguments += delta.function?.arguments ?? '';
  }
  return calls;
}

/** The usage the gateway reports, with OpenRouter's `cost` (USD). */
export type UsageWithCost = OpenAI.CompletionUsage & { cost: number };

export function usageOf(value: { usage?: OpenAI.CompletionUsage | null | undefined }): UsageWithCost {
  const usage = value.usage as UsageWithCost | null | undefined;
  if (usage == null) throw new Error('no usage in the reply');
  return usage;
}

/** Catalog prices in whole µ$ per token (USD per million tokens). */
export interface WholePrices {
  prompt: number;
  completion: number;
}

/** Prices × tokens in USD: whole µ$ per token, so no rounding is involved. */
export const expectedCost = (usage: { prompt_tokens: number; completion_tokens: number }, prices: WholePrices): number =>
  (usage.prompt_tokens * prices.prompt + usage.completion_tokens * prices.completion) / 1_000_000;

/** The `provider` field OpenRouter adds to chunks and completions. */
export const providerOf = (value: unknown): unknown => (value as { provider?: unknown }).provider;
