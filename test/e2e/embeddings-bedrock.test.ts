// Embeddings on Amazon Bedrock through the local gateway and the official
// openai client. Bedrock has no simulator: a loopback server plays its part,
// answering SigV4-signed InvokeModel calls as Titan Text Embeddings V2 and
// Cohere Embed do; a Titan endpoint that throttles falls over to Cohere.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { jsonReply, startLoopbackUpstream, type LoopbackUpstream, type ReceivedRequest } from '../support/loopback-upstream.ts';
import { balance, usageRecords } from '../support/local-gateway.ts';
import { STATIC_AWS_ACCESS_KEY_ID, startProvidersGateway, stubStaticAwsCredentials } from '../support/providers-upstreams.ts';

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-english-v3';

let upstream: LoopbackUpstream;
let gateway: LocalGateway;
let client: OpenAI;
/** When set, Titan calls answer with Bedrock's throttling error. */
let throttleTitan = false;

const bodyOf = (request: ReceivedRequest): Record<string, unknown> => JSON.parse(request.body) as Record<string, unknown>;

beforeAll(async () => {
  upstream = await startLoopbackUpstream((request) => {
    const body = bodyOf(request);
    if (request.url.includes('titan')) {
      if (throttleTitan) {
        return jsonReply(429, { message: 'Too many requests, please wait before trying again.' }, { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
      }
      const text = String(body.inputText);
      const tokens = Math.ceil(text.length / 3);
      return jsonReply(
        200,
        { embedding: [text.length, 0.25, -0.5], inputTextTokenCount: tokens, embeddingsByType: { float: [text.length, 0.25, -0.5] } },
        { 'x-amzn-bedrock-input-token-count': String(tokens) },
      );
    }
    const texts = body.texts as string[];
    return jsonReply(
      200,
      { embeddings: texts.map((text) => [-text.length, 0.5]), id: 'emb-1', response_type: 'embeddings_floats', texts },
      { 'x-amzn-bedrock-input-token-count': String(texts.length * 7) },
    );
  });
  stubStaticAwsCredentials();
  const endpoint = (tag: string, upstreamModel: string, prompt: string) => ({
    provider: 'replay-bedrock',
    tag,
    upstreamModel,
    pricing: { prompt, completion: '0' },
    contextLength: 8192,
    maxCompletionTokens: 1,
    supportedParameters: [],
    embedding: { dimensions: 1024, dimensionsParameter: [256, 512, 1024] },
  });
  gateway = await startProvidersGateway({
    providers: { 'replay-bedrock': { name: 'Amazon Bedrock (replay)', kind: 'bedrock', baseUrl: upstream.url, region: 'us-east-1' } },
    models: [
      { id: 'replay/titan', name: 'Titan', created: 1767225600, endpoints: [endpoint('titan', TITAN, '2')] },
      { id: 'replay/titan-or-cohere', name: 'Titan or Cohere', created: 1767225600, endpoints: [endpoint('titan', TITAN, '1'), endpoint('cohere', COHERE, '4')] },
    ],
  });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  vi.unstubAllEnvs();
});

describe('embeddings on Bedrock through the gateway', () => {
  it('sends Titan one signed call per input with dimensions, and bills the tokens InvokeModel reported', async () => {
    const before = await balance(gateway);
    const sent = upstream.requests.length;
    const reply = await client.embeddings.create({ model: 'replay/titan', input: ['first', 'second one'], dimensions: 256, encoding_format: 'float' });

    const calls = upstream.requests.slice(sent);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.url).toBe(`/model/${encodeURIComponent(TITAN)}/invoke`);
      expect(call.headers.authorization).toContain(`Credential=${STATIC_AWS_ACCESS_KEY_ID}/`);
    }
    expect(calls.map(bodyOf).sort((a, b) => String(a.inputText).length - String(b.inputText).length)).toEqual([
      { inputText: 'first', dimensions: 256, normalize: true },
      { inputText: 'second one', dimensions: 256, normalize: true },
    ]);
    expect(reply.data.map((entry) => entry.embedding)).toEqual([[5, 0.25, -0.5], [10, 0.25, -0.5]]);
    const tokens = Math.ceil(5 / 3) + Math.ceil(10 / 3);
    expect(reply.usage.prompt_tokens).toBe(tokens);
    expect(before - (await balance(gateway))).toBe(tokens * 2);
  });

  it('refuses a length Titan cannot give with a 400 naming dimensions, before any call', async () => {
    const sent = upstream.requests.length;
    const error = await client.embeddings.create({ model: 'replay/titan', input: 'x', dimensions: 300 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('`dimensions` 300');
    expect(upstream.requests.length).toBe(sent);
  });

  it('falls over from a throttled Titan to Cohere Embed, recording both attempts', async () => {
    throttleTitan = true;
    try {
      const reply = await client.embeddings.create({
        model: 'replay/titan-or-cohere',
        input: ['alpha', 'beta'],
        encoding_format: 'float',
        provider: { order: ['replay-bedrock/titan', 'replay-bedrock/cohere'] },
      } as OpenAI.EmbeddingCreateParams);

      expect(reply.data.map((entry) => entry.embedding)).toEqual([[-5, 0.5], [-4, 0.5]]);
      expect(reply.usage.prompt_tokens).toBe(14);
      const record = (await usageRecords(gateway)).find((entry) => entry.id === (reply as unknown as { id: string }).id);
      expect(record?.attempts.map((attempt) => [attempt.endpoint, attempt.status])).toEqual([
        ['replay/titan-or-cohere@titan', 429],
        ['replay/titan-or-cohere@cohere', 200],
      ]);
      expect(record?.cost_micros).toBe(14 * 4);
    } finally {
      throttleTitan = false;
    }
  });
});
