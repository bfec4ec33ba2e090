// The /embeddings reply in OpenAI's shape with OpenRouter's additions:
// `id`, `provider`, and `usage.cost` in USD.
import { microsToUsd, type CostBreakdown } from '../../billing/cost.ts';
import { encodeFloat32Base64 } from '../../embeddings/vectors.ts';

export interface EmbeddingsReplyInput {
  id: string;
  /** The catalog model that served the request, and its provider's display name. */
  model: string;
  provider: string;
  vectors: readonly (readonly number[])[];
  encodingFormat: 'float' | 'base64';
  promptTokens: number;
  cost: CostBreakdown;
}

export function embeddingsReplyBody(input: EmbeddingsReplyInput): string {
  const cost = microsToUsd(input.cost.totalMicros);
  return JSON.stringify({
    id: input.id,
    object: 'list',
    data: input.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: input.encodingFormat === 'base64' ? encodeFloat32Base64(vector) : vector,
    })),
    model: input.model,
    provider: input.provider,
    usage: {
      prompt_tokens: input.promptTokens,
      total_tokens: input.promptTokens,
      cost,
      is_byok: false,
      cost_details: { upstream_inference_cost: cost, upstream_inference_prompt_cost: microsToUsd(input.cost.promptMicros), upstream_inference_completions_cost: 0 },
    },
  });
}
