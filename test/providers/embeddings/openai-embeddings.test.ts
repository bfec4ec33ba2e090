// The OpenAI-wire embedding adapter against a loopback upstream: the exact
// request it sends, and the reply it reads (floats or base64, out of order,
// malformed, an error status).
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createEmbeddingAdapter as createOpenaiEmbeddingAdapter } from '../../../lib/providers/openai/index.ts';
import { jsonReply, startLoopbackUpstream, type LoopbackUpstream } from '../../support/loopback-upstream.ts';
import { embeddingCall, embeddingEndpoint, float32Base64 } from './support.ts';

const openaiEmbeddingAdapter = createOpenaiEmbeddingAdapter();

let upstream: LoopbackUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});


// The shape api.openai.com answers with (platform.openai.com/docs/api-reference/embeddings/object).
const reply = {
  object: 'list',
  data: [
    { object: 'embedding', index: 1, embedding: [0.25, -0.5, 0.125] },
    { object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347] },
  ],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 11, total_tokens: 11 },
};

describe('the OpenAI embedding adapter', () => {
  it('posts every input to {baseUrl}/embeddings with the upstream model, floats, dimensions and user', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, reply));
    const endpoint = embeddingEndpoint('openai', `${upstream.url}/v1/`, 'text-embedding-3-small');

    const result = await openaiEmbeddingAdapter.embed(embeddingCall(endpoint, { credential: 'sk-test-123', dimensions: 3, user: 'user-42' }));

    const [request] = upstream.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/embeddings');
    expect(request?.headers.authorization).toBe('Bearer sk-test-123');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'text-embedding-3-small',
      input: ['The quick brown fox', 'jumps over the lazy dog'],
      encoding_format: 'float',
      dimensions: 3,
      user: 'user-42',
    });
    // Sorted by `index`, whatever order the reply lists them in.
    expect(result).toEqual({ vectors: [[0.0023064255, -0.009327292, 0.015797347], [0.25, -0.5, 0.125]], promptTokens: 11 });
  });

  it('sends neither dimensions nor user nor authorization when there are none', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, reply));
    await openaiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('openai', upstream.url, 'embed-x')));
    const [request] = upstream.requests;
    expect(request?.headers.authorization).toBeUndefined();
    expect(Object.keys(JSON.parse(request?.body ?? '{}') as object).sort()).toEqual(['encoding_format', 'input', 'model']);
  });

  it('reads base64 vectors (little-endian float32) as some hosts send them whatever was asked', async () => {
    const values = [0.5, -0.25, 3.140625];
    upstream = await startLoopbackUpstream(jsonReply(200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: float32Base64(values) }], model: 'm' }));
    const result = await openaiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('openai', upstream.url, 'm'), { inputs: ['one'] }));
    expect(result).toEqual({ vectors: [values], promptTokens: undefined });
  });

  it('fails over (retryable 502) on a reply with a vector missing', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, { ...reply, data: [reply.data[0]] }));
    const error = await openaiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('openai', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
  });

  it('maps an upstream 429 to a retryable rate limit and a 400 to the caller’s error with its message', async () => {
    upstream = await startLoopbackUpstream(jsonReply(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
    const limited = await openaiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('openai', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(limited).toMatchObject({ status: 429, type: 'rate_limit_exceeded', retryable: true });
    await upstream.close();

    upstream = await startLoopbackUpstream(jsonReply(400, { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', code: null } }));
    const invalid = await openaiEmbeddingAdapter.embed(embeddingCall(embeddingEndpoint('openai', upstream.url, 'm'))).catch((thrown: unknown) => thrown);
    expect(invalid).toMatchObject({ status: 400, retryable: false, message: "This model's maximum context length is 8192 tokens" });
  });
});
