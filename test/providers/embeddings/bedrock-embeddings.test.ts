// The Bedrock embedding adapter against a loopback upstream: SigV4-signed
// InvokeModel calls with Titan V2's and Cohere Embed's bodies as AWS
// documents them, Titan's one-input calls with bounded concurrency, Cohere's
// batches of 96, token counts from InvokeModel's header, error mapping.
import { afterEach, describe, expect, it } from 'vitest';
import { COHERE_BATCH, createEmbeddingAdapter, TITAN_CONCURRENCY } from '../../../lib/providers/bedrock/index.ts';
import { jsonReply, startLoopbackUpstream, type LoopbackUpstream, type ReceivedRequest } from '../../support/loopback-upstream.ts';
import { staticCredentials } from '../bedrock/support.ts';
import { embeddingCall, embeddingEndpoint } from './support.ts';

let upstream: LoopbackUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const adapter = createEmbeddingAdapter({ awsCredentials: staticCredentials, now: () => Date.parse('2026-01-15T12:00:00Z') });
const body = (request: ReceivedRequest | undefined): Record<string, unknown> => JSON.parse(request?.body ?? '{}') as Record<string, unknown>;

describe('the Bedrock embedding adapter, Titan Text Embeddings V2', () => {
  it('sends one signed InvokeModel call per input, at most a few at once, and sums the token counts', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const waiting: (() => void)[] = [];
    upstream = await startLoopbackUpstream(async (request) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Hold each reply until as many calls are open as the adapter allows (or all of them are).
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length >= TITAN_CONCURRENCY || upstream?.requests.length === 6) waiting.splice(0).forEach((release) => release());
      });
      inFlight -= 1;
      const text = String(body(request).inputText);
      return jsonReply(
        200,
        { embedding: [text.length, 0.5], inputTextTokenCount: text.length, embeddingsByType: { float: [text.length, 0.5] } },
        { 'x-amzn-bedrock-input-token-count': String(text.length) },
      );
    });
    const inputs = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'];

    const result = await adapter.embed(embeddingCall(embeddingEndpoint('bedrock', upstream.url, 'amazon.titan-embed-text-v2:0'), { inputs, dimensions: 256 }));

    expect(upstream.requests).toHaveLength(6);
    const [first] = upstream.requests;
    expect(first?.url).toBe(`/model/${encodeURIComponent('amazon.titan-embed-text-v2:0')}/invoke`);
    expect(first?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260115\/us-east-1\/bedrock\/aws4_request, SignedHeaders=/);
    expect(upstream.requests.map(body).sort((a, b) => String(a.inputText).length - String(b.inputText).length)).toEqual(
      inputs.map((inputText) => ({ inputText, dimensions: 256, normalize: true })),
    );
    expect(mostInFlight).toBe(TITAN_CONCURRENCY);
    expect(result).toEqual({ vectors: inputs.map((input) => [input.length, 0.5]), promptTokens: 21 });
  });

  it('maps a ThrottlingException to a retryable 429 and a ValidationException to the caller’s 400', async () => {
    upstream = await startLoopbackUpstream(
      jsonReply(429, { message: 'Too many requests, please wait before trying again.' }, { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' }),
    );
    const endpoint = embeddingEndpoint('bedrock', upstream.url, 'amazon.titan-embed-text-v2:0');
    expect(await adapter.embed(embeddingCall(endpoint)).catch((thrown: unknown) => thrown)).toMatchObject({ status: 429, type: 'rate_limit_exceeded', retryable: true });
    await upstream.close();

    upstream = await startLoopbackUpstream(
      jsonReply(
        400,
        { message: 'Malformed input request: #/dimensions: 300 is not a valid enum value' },
        { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
      ),
    );
    const invalid = await adapter.embed(embeddingCall(embeddingEndpoint('bedrock', upstream.url, 'amazon.titan-embed-text-v2:0'))).catch((thrown: unknown) => thrown);
    expect(invalid).toMatchObject({ status: 400, retryable: false, message: 'Malformed input request: #/dimensions: 300 is not a valid enum value' });
  });
});

describe('the Bedrock embedding adapter, Cohere Embed', () => {
  it(`sends the texts in batches of ${COHERE_BATCH} with an input type, reading embeddings_floats replies and the token header`, async () => {
    upstream = await startLoopbackUpstream((request) => {
      const texts = body(request).texts as string[];
      return jsonReply(
        200,
        { embeddings: texts.map((text) => [text.length, -1]), id: 'c0ffee-1', response_type: 'embeddings_floats', texts },
        { 'x-amzn-bedrock-input-token-count': String(texts.length * 2) },
      );
    });
    const inputs = Array.from({ length: COHERE_BATCH + 4 }, (_, index) => `text ${index}`);

    const result = await adapter.embed(
      embeddingCall(embeddingEndpoint('bedrock', upstream.url, 'cohere.embed-english-v3'), { inputs, inputType: 'search_query' }),
    );

    expect(upstream.requests.map((request) => request.url)).toEqual([`/model/cohere.embed-english-v3/invoke`, `/model/cohere.embed-english-v3/invoke`]);
    expect(body(upstream.requests[0])).toEqual({ texts: inputs.slice(0, COHERE_BATCH), input_type: 'search_query', truncate: 'NONE' });
    expect(body(upstream.requests[1])).toEqual({ texts: inputs.slice(COHERE_BATCH), input_type: 'search_query', truncate: 'NONE' });
    expect(result.vectors).toEqual(inputs.map((input) => [input.length, -1]));
    expect(result.promptTokens).toBe(inputs.length * 2);
  });

  it('defaults the input type to search_document, reads embeddings by type, and estimates when the token header is missing', async () => {
    upstream = await startLoopbackUpstream(jsonReply(200, { embeddings: { float: [[1, 2], [3, 4]] }, id: 'c0ffee-2', response_type: 'embeddings_by_type' }));
    const result = await adapter.embed(embeddingCall(embeddingEndpoint('bedrock', upstream.url, 'us.cohere.embed-english-v3')));
    expect(body(upstream.requests[0])).toMatchObject({ input_type: 'search_document' });
    expect(result).toEqual({ vectors: [[1, 2], [3, 4]], promptTokens: undefined });
  });
});
