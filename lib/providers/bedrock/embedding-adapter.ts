// Embeddings on Amazon Bedrock through InvokeModel (POST /model/{id}/invoke),
// signed by the same fetch wrapper as Converse. Two body shapes:
//  - Titan Text Embeddings V2 takes one `inputText` per call, so a request's
//    inputs go out as parallel calls, a few at a time;
//  - Cohere Embed takes up to 96 `texts` per call.
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
import { z } from 'zod';
import { GatewayError } from '../../api/errors.ts';
import { malformedEmbeddingReply, mapBounded, readEmbeddingJson, slices } from '../embedding-errors.ts';
import type { EmbeddingAdapter, EmbeddingCall, EmbeddingResult, Fetch, UpstreamResponse } from '../types.ts';
import { sendUpstream, upstreamHeaders } from '../upstream-http.ts';
import { signingRegion, type BedrockAdapterOptions } from './adapter.ts';
import { errorFromResponse } from './error-mapping.ts';
import { createSigningFetch } from './signing-fetch.ts';

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

export function createBedrockEmbeddingAdapter(options: BedrockAdapterOptions): EmbeddingAdapter {
  return {
    async embed(call: EmbeddingCall): Promise<EmbeddingResult> {
      const { provider, upstreamModel } = call.endpoint;
      const wire = embeddingWire(upstreamModel);
      if (wire === undefined) {
        // A catalog entry this adapter cannot serve: another endpoint may.
        throw new GatewayError({
          status: 502,
          type: 'provider_unavailable',
          message: `${upstreamModel} is neither a Titan nor a Cohere Embed model`,
          retryable: true,
          provider: provider.name,
        });
      }
      const fetch: Fetch =
        call.credential !== undefined
          ? call.fetch
          : createSigningFetch({
              fetch: call.fetch,
              credentials: options.credentials,
              region: signingRegion(provider.region, provider.baseUrl, provider.name),
              service: 'bedrock',
              now: options.now,
            });
      const invoke = (body: TitanEmbedBody | CohereEmbedBody): Promise<{ json: unknown; inputTokens: number | undefined }> => invokeModel(call, fetch, body);
      return wire === 'titan' ? embedWithTitan(call, invoke) : embedWithCohere(call, invoke);
    },
  };
}

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
  const url = `${provider.baseUrl.replace(/\/+$/, '')}/model/${encodeURIComponent(upstreamModel)}/invoke`;
  const response: UpstreamResponse = await sendUpstream(fetch, url, { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal }, provider.name);
  if (!response.ok) throw await errorFromResponse(response, provider.name);
  const count = Number(response.headers.get(INPUT_TOKENS_HEADER) ?? Number.NaN);
  return { json: await readEmbeddingJson(response, provider.name, call.signal), inputTokens: Number.isInteger(count) && count >= 0 ? count : undefined };
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
