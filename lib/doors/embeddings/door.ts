// POST /embeddings: OpenAI's embeddings wire with OpenRouter's extras, a door
// onto the pipeline's steps like the chat doors. It only translates: the body
// into the inputs and the canonical request routing and the hold read, and
// the vectors, usage and cost into OpenAI's reply; errors in OpenAI's shape.
import { errorResponse } from '../../api/reply.ts';
import type { EmbeddingsDoor, EmbeddingsReplyParts } from '../../pipeline/door.ts';
import { embeddingsReplyBody } from './reply-body.ts';
import { estimateInputTokens, parseEmbeddingRequest, routingRequest } from './request.ts';

export const embeddingsDoor: EmbeddingsDoor = {
  name: 'embeddings',
  decode(body) {
    const embedding = parseEmbeddingRequest(body);
    const decoded = {
      request: routingRequest(embedding),
      inputs: embedding.inputs,
      dimensions: embedding.dimensions,
      inputType: embedding.inputType,
      user: embedding.user,
      tokensPerInput: embedding.inputs.map(estimateInputTokens),
    };
    const replyBody = ({ meta, vectors, billed }: EmbeddingsReplyParts): string =>
      embeddingsReplyBody({
        id: meta.id,
        model: meta.model,
        provider: meta.provider,
        vectors,
        encodingFormat: embedding.encodingFormat,
        promptTokens: billed.usage.promptTokens,
        cost: billed.cost,
      });
    return { decoded, replyBody };
  },
  errorReply: errorResponse,
};
