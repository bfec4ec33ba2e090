// POST /embeddings: OpenAI's embeddings request with OpenRouter's extras
// (`provider`, `models`, `input_type`; openrouter-api.md §1.6). Text only:
// token-id inputs and multimodal inputs are 400s that say so.
import { z } from 'zod';
import { DEFAULT_REASONING, providerPreferences, type ChatRequest } from '../../api/chat-request.ts';
import { invalidRequest } from '../../api/errors.ts';
import { parseOrThrow } from '../../api/validate.ts';
import type { EmbeddingInputType } from '../../providers/types.ts';

/** OpenAI's limit of inputs per request. */
export const MAX_INPUTS = 2048;

const modelId = z.string().min(1, 'must not be empty').max(256);

export const embeddingsRequest = z
  .object({
    model: modelId.optional(),
    models: z.array(modelId).max(16).optional(),
    // Read by `readInputs`, which names the exact entry at fault.
    input: z.unknown(),
    encoding_format: z.enum(['float', 'base64']).nullish(),
    dimensions: z.number().int().min(1).nullish(),
    input_type: z.enum(['search_document', 'search_query', 'classification', 'clustering']).nullish(),
    user: z.string().max(256).optional(),
    provider: providerPreferences.optional(),
  })
  // Unknown top-level fields are tolerated, as on chat.
  .loose()
  .superRefine((request, ctx) => {
    if (request.model === undefined && (request.models === undefined || request.models.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required (or give `models`)' });
    }
  });

export interface EmbeddingRequest {
  model: string | undefined;
  models: string[] | undefined;
  inputs: string[];
  encodingFormat: 'float' | 'base64';
  dimensions: number | undefined;
  inputType: EmbeddingInputType | undefined;
  user: string | undefined;
  provider: z.infer<typeof providerPreferences> | undefined;
}

export function parseEmbeddingRequest(body: unknown): EmbeddingRequest {
  const request = parseOrThrow(embeddingsRequest, body);
  return {
    model: request.model,
    models: request.models,
    inputs: readInputs(request.input),
    encodingFormat: request.encoding_format ?? 'float',
    dimensions: request.dimensions ?? undefined,
    inputType: request.input_type ?? undefined,
    user: request.user,
    provider: request.provider,
  };
}

function readInputs(input: unknown): string[] {
  if (input === undefined || input === null) throw invalid('input', 'is required');
  if (typeof input === 'string') {
    if (input === '') throw invalid('input', 'must not be empty');
    return [input];
  }
  if (!Array.isArray(input)) throw invalid('input', 'must be a string or an array of strings');
  if (input.length === 0) throw invalid('input', 'must hold at least one string');
  if (input.length > MAX_INPUTS) throw invalid('input', `must hold at most ${MAX_INPUTS} strings`);
  input.forEach((entry: unknown, index) => {
    if (typeof entry === 'number' || Array.isArray(entry)) {
      throw invalid(index === 0 ? 'input' : `input[${index}]`, 'as token ids is not supported: send text');
    }
    if (typeof entry !== 'string') throw invalid(`input[${index}]`, 'must be a string (only text input is supported)');
    if (entry === '') throw invalid(`input[${index}]`, 'must not be empty');
  });
  return input as string[];
}

function invalid(field: string, message: string) {
  return invalidRequest(`Request is invalid: \`${field}\` ${message}`, { field });
}

/**
 * The request as the canonical request planning, the credit hold and the
 * records read: each input one user message, so the hold's byte bound covers
 * every input. It never reaches an adapter.
 */
export function routingRequest(request: EmbeddingRequest): ChatRequest {
  return {
    ...(request.model === undefined ? {} : { model: request.model }),
    ...(request.models === undefined ? {} : { models: request.models }),
    ...(request.provider === undefined ? {} : { provider: request.provider }),
    ...(request.user === undefined ? {} : { user: request.user }),
    messages: request.inputs.map((content) => ({ role: 'user' as const, content })),
    maxOutputTokens: undefined,
    reasoning: DEFAULT_REASONING,
    extras: {},
  };
}

/** A typical tokenizer's count, about four characters a token, when the provider reports none. */
export function estimateInputTokens(input: string): number {
  return Math.ceil(input.length / 4);
}
