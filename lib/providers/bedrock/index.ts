export { createBedrockAdapter, type BedrockAdapterOptions } from './adapter.ts';
export { createSigningFetch, type AwsCredentialIdentityProvider, type SigningFetchOptions } from './signing-fetch.ts';
export { toConverseRequest, isClaudeModel } from './request-conversion.ts';
export { createStreamTransform, transformStream, type StreamTransform, type StreamTransformOptions } from './stream-transform.ts';
export { decodeEventStream } from './event-stream-decode.ts';
export { parseStreamEvent, type ConverseStreamEvent, type EventStreamMessage } from './upstream-schemas.ts';
export { bedrockError, errorFromResponse } from './error-mapping.ts';
export { createBedrockEmbeddingAdapter, embeddingWire, COHERE_BATCH, TITAN_CONCURRENCY, type CohereEmbedBody, type TitanEmbedBody } from './embedding-adapter.ts';
