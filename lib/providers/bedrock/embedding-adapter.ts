// Embeddings on Amazon Bedrock through InvokeModel (POST /model/{id}/invoke),
// signed by the same fetch wrapper as Converse. Two body shapes:
//  - Titan Text Embeddings V2 takes one `inputText` per call, so a request's
//    inputs go out as parallel calls, a few at a time;
//  - Cohere Embed takes up to 96 `texts` per call.
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
import { z } from 'zod';
import { malformedEmbeddingReply, mapBounded, slices } from '../embedding-batches.ts';
import { ProviderError } from '../provider-error.ts';
import type { CreateEmbeddingAdapter, EmbeddingCall, EmbeddingResult, Fetch } from '../types.ts';
import { postJson, readJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { bedrockFetch } from './adapter.ts';
import { mapErrorReply } from './error-mapping.ts';

/** Titan calls in flight at once for one request: parallel enough to be quick, few enough not to trip the account's throttling. */
export const TITAN_CONCURRENCY = 4;
/** Cohere Embed's limit of texts per call. */
export const COHERE_BATCH = 96;

/** InvokeModel reports the input tokens it billed in a header, whatever the model's body says. */
const INPUT_TOKENS_HEADER = 'x-amzn-bedrock-input-token-count';

export interface TitanEmbedBody {
  inputText: string;
  dimensions?: number;
  normalize: true;
}

export interface CohereEmbedBody {
  texts: string[];
  input_type: 'search_document' | 'search_query' | 'classification' | 'clustering';
  truncate: 'NONE';
}

const titanReply = z.looseObject({ embedding: z.array(z.number()), inputTextTokenCount: z.number().int().nonnegative().nullish() });
// `embeddings` is the float matrix, or by type when `embedding_types` was sent.
const cohereReply = z.looseObject({
  embeddings: z.union([z.array(z.array(z.number())), z.looseObject({ float: z.array(z.array(z.number())) })]),
});

type BedrockEmbeddingWire = 'titan' | 'cohere';

export function embeddingWire(upstreamModel: string): BedrockEmbeddingWire | undefined {
  // Inference profiles prefix the model id with a geography (`us.cohere.embed-…`).
  const model = upstreamModel.replace(/^(us|eu|apac|global)\./, '');
  if (model.startsWith('amazon.titan-embed')) return 'titan';
  if (model.startsWith('cohere.embed')) return 'cohere';
  return undefined;
}

export const createEmbeddingAdapter: CreateEmbeddingAdapter = (options = {}) => {
  return {
    async embed(call: EmbeddingCall): Promise<EmbeddingResult> {
      const { provider, upstreamModel } = call.endpoint;
      const wire = embeddingWire(upstreamModel);
      if (wire === undefined) {
        // A catalog entry this adapter cannot serve: another endpoint may.
        throw new ProviderError({
          status: 502,
          type: 'provider_unavailable',
          message: `${upstreamModel} is neither a Titan nor a Cohere Embed model`,
          retryable: true,
          provider: provider.name,
        });
      }
      const fetch = bedrockFetch(call, options);
      const invoke = (body: TitanEmbedBody | CohereEmbedBody): Promise<{ json: unknown; inputTokens: number | undefined }> => invokeModel(call, fetch, body);
      return wire === 'titan' ? embedWithTitan(call, invoke) : embedWithCohere(call, invoke);
    },
  };
};

type Invoke = (body: TitanEmbedBody | CohereEmbedBody) => Promise<{ json: unknown; inputTokens: number | undefined }>;

async function embedWithTitan(call: EmbeddingCall, invoke: Invoke): Promise<EmbeddingResult> {
  const provider = call.endpoint.provider.name;
  const replies = await mapBounded(call.inputs, TITAN_CONCURRENCY, async (inputText) => {
    const body: TitanEmbedBody = { inputText, ...(call.dimensions === undefined ? {} : { dimensions: call.dimensions }), normalize: true };
    const reply = await invoke(body);
    const parsed = titanReply.safeParse(reply.json);
    if (!parsed.success) throw malformedEmbeddingReply(provider, parsed.error);
    return { vector: parsed.data.embedding, tokens: reply.inputTokens ?? parsed.data.inputTextTokenCount ?? undefined };
  });
  return { vectors: replies.map((reply) => reply.vector), promptTokens: sumKnown(replies.map((reply) => reply.tokens)) };
}

async function embedWithCohere(call: EmbeddingCall, invoke: Invoke): Promise<EmbeddingResult> {
  const provider = call.endpoint.provider.name;
  const vectors: number[][] = [];
  const tokens: (number | undefined)[] = [];
  for (const texts of slices(call.inputs, COHERE_BATCH)) {
    // Cohere v3 requires an input_type; documents are what most callers embed.
    const reply = await invoke({ texts, input_type: call.inputType ?? 'search_document', truncate: 'NONE' });
    const parsed = cohereReply.safeParse(reply.json);
    const matrix = parsed.success ? (Array.isArray(parsed.data.embeddings) ? parsed.data.embeddings : parsed.data.embeddings.float) : undefined;
    if (matrix === undefined || matrix.length !== texts.length) throw malformedEmbeddingReply(provider, parsed.error);
    vectors.push(...matrix);
    tokens.push(reply.inputTokens);
  }
  return { vectors, promptTokens: sumKnown(tokens) };
}

async function invokeModel(call: EmbeddingCall, fetch: Fetch, body: TitanEmbedBody | CohereEmbedBody): Promise<{ json: unknown; inputTokens: number | undefined }> {
  const { provider, upstreamModel } = call.endpoint;
  const headers = upstreamHeaders(provider.headers, { 'content-type': 'application/json', accept: 'application/json' });
  if (call.credential !== undefined) headers.authorization = `Bearer ${call.credential}`;
  const url = upstreamUrl(provider.baseUrl, `/model/${encodeURIComponent(upstreamModel)}/invoke`);
  const response = await postJson({ fetch, url, headers, body, signal: call.signal, provider: provider.name }, mapErrorReply);
  const count = Number(response.headers.get(INPUT_TOKENS_HEADER) ?? Number.NaN);
  return { json: await readJson(response, call.signal, provider.name), inputTokens: Number.isInteger(count) && count >= 0 ? count : undefined };
}

/** The sum, or undefined when any part is unknown (the gateway then estimates the whole). */
function sumKnown(counts: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const count of counts) {
    if (count === undefined) return undefined;
    total += count;
  }
  return total;
}
