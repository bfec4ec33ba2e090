// Shared pieces of the embedding adapter tests: one catalog endpoint per
// wire, pointed at a loopback upstream, and the call an adapter receives.
import { createCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import type { EmbeddingCall } from '../../../lib/providers/types.ts';

export function embeddingEndpoint(kind: 'openai' | 'gemini' | 'bedrock', baseUrl: string, upstreamModel: string): Endpoint {
  const catalog = createCatalog({
    providers: {
      acme: { name: 'Acme Embeddings', kind, baseUrl, ...(kind === 'bedrock' ? { region: 'us-east-1' } : { credential: 'ACME_KEY' }) },
    },
    models: [
      {
        id: 'acme/embed-1',
        name: 'Acme: Embed 1',
        created: 1_750_000_000,
        endpoints: [
          {
            provider: 'acme',
            upstreamModel,
            pricing: { prompt: '0.02', completion: '0' },
            contextLength: 8192,
            maxCompletionTokens: 1,
            supportedParameters: [],
            embedding: { dimensions: 1024, dimensionsParameter: 'any' },
          },
        ],
      },
    ],
  });
  const endpoint = catalog.endpoints[0];
  if (endpoint === undefined) throw new Error('test catalog has no endpoint');
  return endpoint;
}

export function embeddingCall(endpoint: Endpoint, overrides: Partial<EmbeddingCall> = {}): EmbeddingCall {
  return {
    inputs: ['The quick brown fox', 'jumps over the lazy dog'],
    dimensions: undefined,
    inputType: undefined,
    user: undefined,
    endpoint,
    credential: undefined,
    signal: new AbortController().signal,
    fetch: (input, init) => fetch(input, init),
    ...overrides,
  };
}

/** Little-endian float32 bytes of `values`, base64: what OpenAI sends for `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
