export { createAdapter, geminiUrl } from './adapter.ts';
export { convertRequest } from './request-conversion.ts';
export { convertResponse } from './response-conversion.ts';
export { streamConversion, type StreamState } from './stream-conversion.ts';
export { convertFinishReason } from './finish-reason.ts';
export { convertUsage } from './usage.ts';
export { mapErrorReply, mapStreamError } from './error-mapping.ts';
export { createEmbeddingAdapter, buildBatchEmbedBody, geminiEmbedUrl, GEMINI_EMBED_BATCH, type GeminiBatchEmbedBody } from './embedding-adapter.ts';
