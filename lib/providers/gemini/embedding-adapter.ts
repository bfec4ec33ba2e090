// Embeddings on the Gemini API: POST /v1beta/models/{model}:batchEmbedContents,
// one EmbedContentRequest per input, in batches of at most 100.
// https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
import { z } from 'zod';
import { malformedEmbeddingReply, slices } from '../embedding-batches.ts';
import type { CreateEmbeddingAdapter, EmbeddingCall, EmbeddingInputType, EmbeddingResult } from '../types.ts';
import { postJson, readJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { mapErrorReply } from './error-mapping.ts';

/** The API's limit of requests per batch. */
export const GEMINI_EMBED_BATCH = 100;

type TaskType = 'RETRIEVAL_DOCUMENT' | 'RETRIEVAL_QUERY' | 'CLASSIFICATION' | 'CLUSTERING';

const taskTypes: Record<EmbeddingInputType, TaskType> = {
  search_document: 'RETRIEVAL_DOCUMENT',
  search_query: 'RETRIEVAL_QUERY',
  classification: 'CLASSIFICATION',
  clustering: 'CLUSTERING',
};

export interface GeminiEmbedContentRequest {
  model: string;
  content: { parts: { text: string }[] };
  taskType?: TaskType;
  outputDimensionality?: number;
}

export interface GeminiBatchEmbedBody {
  requests: GeminiEmbedContentRequest[];
}

const batchEmbedReply = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
  // Not documented for batchEmbedContents today; read when present.
  usageMetadata: z.looseObject({ promptTokenCount: z.number().int().nonnegative().nullish() }).nullish(),
});

export function geminiEmbedUrl(baseUrl: string, upstreamModel: string): string {
  return upstreamUrl(baseUrl, `/v1beta/models/${upstreamModel}:batchEmbedContents`);
}

export function buildBatchEmbedBody(call: EmbeddingCall, inputs: readonly string[]): GeminiBatchEmbedBody {
  const model = `models/${call.endpoint.upstreamModel}`;
  return {
    requests: inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(call.inputType === undefined ? {} : { taskType: taskTypes[call.inputType] }),
      ...(call.dimensions === undefined ? {} : { outputDimensionality: call.dimensions }),
    })),
  };
}

export const createEmbeddingAdapter: CreateEmbeddingAdapter = () => ({
  async embed(call: EmbeddingCall): Promise<EmbeddingResult> {
    const vectors: number[][] = [];
    let promptTokens: number | undefined = 0;
    // In order, one batch after another: a request's batches share its rate limit.
    for (const batch of slices(call.inputs, GEMINI_EMBED_BATCH)) {
      const result = await embedBatch(call, batch);
      vectors.push(...result.vectors);
      promptTokens = promptTokens === undefined || result.promptTokens === undefined ? undefined : promptTokens + result.promptTokens;
    }
    return { vectors, promptTokens };
  },
});

async function embedBatch(call: EmbeddingCall, inputs: readonly string[]): Promise<EmbeddingResult> {
  const { provider, upstreamModel } = call.endpoint;
  const headers = upstreamHeaders(provider.headers, {
    'content-type': 'application/json',
    ...(call.credential === undefined ? {} : { 'x-goog-api-key': call.credential }),
  });
  const response = await postJson(
    { fetch: call.fetch, url: geminiEmbedUrl(provider.baseUrl, upstreamModel), headers, body: buildBatchEmbedBody(call, inputs), signal: call.signal, provider: provider.name },
    mapErrorReply,
  );
  const parsed = batchEmbedReply.safeParse(await readJson(response, call.signal, provider.name));
  if (!parsed.success || parsed.data.embeddings.length !== inputs.length) throw malformedEmbeddingReply(provider.name, parsed.error);
  return { vectors: parsed.data.embeddings.map((entry) => entry.values), promptTokens: parsed.data.usageMetadata?.promptTokenCount ?? undefined };
}
