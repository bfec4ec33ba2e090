export { geminiAdapter, geminiUrl } from './adapter.ts';
export { toGeminiRequest } from './request-conversion.ts';
export { createStreamTransform, type GeminiStreamTransform } from './stream-transform.ts';
export { responseEvents } from './response-conversion.ts';
export { geminiError } from './error-mapping.ts';
export { geminiEmbeddingAdapter, buildBatchEmbedBody, geminiEmbedUrl, GEMINI_EMBED_BATCH, type GeminiBatchEmbedBody } from './embedding-adapter.ts';
