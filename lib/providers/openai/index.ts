export { createAdapter } from './adapter.ts';
export { convertRequest, type OpenaiChatBody } from './request-conversion.ts';
export { convertResponse } from './response-conversion.ts';
export { streamConversion, type StreamState } from './stream-conversion.ts';
export { convertFinishReason } from './finish-reason.ts';
export { convertUsage } from './usage.ts';
export { mapErrorReply, mapStreamError } from './error-mapping.ts';
export { createEmbeddingAdapter, buildEmbeddingsBody, parseEmbeddingsReply, type OpenaiEmbeddingsBody } from './embedding-adapter.ts';
