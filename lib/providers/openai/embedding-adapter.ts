// Embeddings on the OpenAI wire (OpenAI and every compatible host):
// POST {baseUrl}/embeddings with every input in one request.
// https://platform.openai.com/docs/api-reference/embeddings/create
import { z } from 'zod';
import { decodeFloat32Base64 } from '../../embeddings/vectors.ts';
import { malformedEmbeddingReply } from '../embedding-batches.ts';
import type { CreateEmbeddingAdapter, EmbeddingCall, EmbeddingResult } from '../types.ts';
import { postJson, readJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { mapErrorReply, mapStreamError } from './error-mapping.ts';
import { upstreamErrorBody } from './wire-schemas.ts';

/** What goes upstream. Floats, not base64: every compatible host speaks them, and the gateway re-encodes either way. */
export interface OpenaiEmbeddingsBody {
  model: string;
  input: string[];
  encoding_format: 'float';
  dimensions?: number;
  user?: string;
}

const embeddingsReply = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().nonnegative().nullish(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.looseObject({ prompt_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

export function buildEmbeddingsBody(call: EmbeddingCall): OpenaiEmbeddingsBody {
  return {
    model: call.endpoint.upstreamModel,
    input: [...call.inputs],
    encoding_format: 'float',
    ...(call.dimensions === undefined ? {} : { dimensions: call.dimensions }),
    ...(call.user === undefined ? {} : { user: call.user }),
  };
}

export const createEmbeddingAdapter: CreateEmbeddingAdapter = () => ({
  async embed(call: EmbeddingCall): Promise<EmbeddingResult> {
    const provider = call.endpoint.provider;
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(call.credential !== undefined && call.credential !== '' ? { authorization: `Bearer ${call.credential}` } : {}),
    });
    const response = await postJson(
      { fetch: call.fetch, url: upstreamUrl(provider.baseUrl, '/embeddings'), headers, body: buildEmbeddingsBody(call), signal: call.signal, provider: provider.name },
      mapErrorReply,
    );
    return parseEmbeddingsReply(await readJson(response, call.signal, provider.name), call.inputs.length, provider.name);
  },
});

/** The reply's vectors in input order (by `index`), whether sent as floats or base64. */
export function parseEmbeddingsReply(json: unknown, inputs: number, provider: string): EmbeddingResult {
  const parsed = embeddingsReply.safeParse(json);
  if (!parsed.success) {
    // Some compatible hosts answer 200 with an error body.
    const failure = upstreamErrorBody.safeParse(json);
    if (failure.success && failure.data.error != null) throw mapStreamError(failure.data.error, provider);
    throw malformedEmbeddingReply(provider, parsed.error);
  }
  const vectors = new Array<number[]>(inputs);
  parsed.data.data.forEach((entry, position) => {
    const index = entry.index ?? position;
    const vector = typeof entry.embedding === 'string' ? decodeFloat32Base64(entry.embedding) : entry.embedding;
    if (vector === undefined || index >= inputs) throw malformedEmbeddingReply(provider);
    vectors[index] = vector;
  });
  // A repeated index leaves a hole (which `some` would skip over): look at every slot.
  for (let index = 0; index < inputs; index += 1) if (vectors[index] === undefined) throw malformedEmbeddingReply(provider);
  return { vectors, promptTokens: parsed.data.usage?.prompt_tokens ?? undefined };
}
