// The embedding adapters, one per wire kind that has an embeddings API
// (Anthropic has none). Each adapter's code loads with its first request, as
// the chat adapters do: a cold start that never embeds never parses it.
import type { AwsCredentialIdentityProvider } from '../providers/bedrock/signing-fetch.ts';
import type { EmbeddingAdapter, EmbeddingAdapters } from '../providers/types.ts';

function onFirstUse(load: () => Promise<EmbeddingAdapter>): EmbeddingAdapter {
  let adapter: Promise<EmbeddingAdapter> | undefined;
  return {
    async embed(call) {
      adapter ??= load().catch((error: unknown) => {
        // Not kept: the next request tries the load again.
        adapter = undefined;
        throw error;
      });
      return (await adapter).embed(call);
    },
  };
}

export function createEmbeddingAdapters(awsCredentials: AwsCredentialIdentityProvider): EmbeddingAdapters {
  return {
    openai: onFirstUse(async () => (await import('../providers/openai/embedding-adapter.ts')).createEmbeddingAdapter()),
    gemini: onFirstUse(async () => (await import('../providers/gemini/embedding-adapter.ts')).createEmbeddingAdapter()),
    bedrock: onFirstUse(async () => (await import('../providers/bedrock/embedding-adapter.ts')).createEmbeddingAdapter({ awsCredentials })),
  };
}
