export { openaiAdapter } from './adapter.ts';
export { buildUpstreamBody, type OpenaiChatBody } from './request-conversion.ts';
export { initialStreamState, stepStream, translateStream, type StreamInput, type StreamState } from './stream-transform.ts';
export { convertResponse } from './response-conversion.ts';
export { mapErrorReply, mapInBandError } from './error-mapping.ts';
export { openaiEmbeddingAdapter, buildEmbeddingsBody, parseEmbeddingsReply, type OpenaiEmbeddingsBody } from './embedding-adapter.ts';
