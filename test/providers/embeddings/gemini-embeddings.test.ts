// The Gemini embedding adapter against a loopback upstream: batchEmbedContents
// requests as the API documents them (ai.google.dev/api/embeddings), batches
// of at most 100, and its error replies.
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddingAdapter as createGeminiEmbeddingAdapter, GEMINI_EMBED_BATCH } from '../../../lib/providers/gemini/index.ts';
import { jsonReply, replyWith, startLoopbackUpstream, type LoopbackUpstream, type ReceivedRequest, type ScriptedReply } from '../../support/loopback-upstream.ts';
import { embeddingCall, embeddingEndpoint } from './support.ts';

const geminiEmbeddingAdapter = createGeminiEmbeddingAdapter();

let upstream: LoopbackUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

interface BatchRequest {
  requests: { model: string; content: { parts: { text: string }[] }; taskType?: string; outputDimensionality?: number }[];
}

const parse = (request: ReceivedRequest | undefined): BatchRequest => JSON.parse(request?.body ?? '{}') as BatchRequest;

/** Answers each request with one vector per input, `[position in the request, text length]`, 2-space pretty as Gemini does. */
const answer = (request: ReceivedRequest): ScriptedReply => {
  const { requests } = parse(request);
  return replyWith(200, JSON.stringify({ embeddings: requests.map((entry, index) => ({ values: [index, entry.content.parts[0]?.text.length ?? 0] })) }, null, 2), {
    'content-type': 'application/json; charset=UTF-8',
  });
};

describe('the Gemini embedding adapter', () => {
  it('posts one EmbedContentRequest per input to :batchEmbedContents with the key header, task type and output dimensionality', async () => {
    upstream = await startLoopbackUpstream(answer);
    const endpoint = embeddingEndpoint('gemini', upstream.url, 'gemini-embedding-001');

    const result = await geminiEmbeddingAdapter.embed(embeddingCall(endpoint, { credential: 'AIza-test', dimensions: 768, inputType: 'search_query' }));

    const [request] = upstream.requests;
    expect(request?.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request?.headers['x-goog-api-key']).toBe('AIza-test');
    expect(parse(request)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'The quick brown fox' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 768 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'jumps over the lazy dog' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 768 },
      ],
    });
    // Gemini reports no token counts for embeddings: the gateway estimates them.
    expect(result).toEqual({ vectors: [[0, 19], [1, 23]], promptTokens: undefined });
  });

  it(`splits more than ${GEMINI_EMBED_BATCH} inputs into batches and keeps their order`, async () => {
    upstream = await startLoopbackUpstream(answer);
    const inputs = Array.from({ length: GEMINI_EMBED_BATCH + 5 }, (_, index) => 'x'.repeat(index + 1));

    const result = await geminiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('gemini', upstream.url, 'm'), { inputs }));

    expect(upstream.requests.map((request) => parse(request).requests.length)).toEqual([GEMINI_EMBED_BATCH, 5]);
    expect(result.vectors.map((vector) => vector[1])).toEqual(inputs.map((input) => input.length));
  });

  it('maps RESOURCE_EXHAUSTED to a retryable 429 with its retry delay, and a bad key to a retryable provider failure', async () => {
    upstream = await startLoopbackUpstream(
      jsonReply(429, {
        error: {
          code: 429,
          message: 'Resource has been exhausted (e.g. check quota).',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
        },
      }),
    );
    const limited = await geminiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('gemini', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
    await upstream.close();

    upstream = await startLoopbackUpstream(
      jsonReply(400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
        },
      }),
    );
    const rejected = await geminiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('gemini', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(rejected).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
  });

  it('fails over when the reply holds fewer embeddings than inputs', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, { embeddings: [{ values: [1, 2] }] }));
    const error = await geminiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('gemini', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 502, retryable: true });
  });
});
