export { anthropicAdapter, ANTHROPIC_VERSION } from './adapter.ts';
export { convertRequest, type AnthropicRequestInput } from './request-conversion.ts';
export type { AnthropicRequest } from './request-types.ts';
export { convertResponse } from './response-conversion.ts';
export { step, endOfStream, initialStreamState, transformStream, type StreamState } from './stream-transform.ts';
export { anthropicError, errorFromResponse } from './error-mapping.ts';
export { convertUsage } from './usage.ts';
export { convertFinishReason } from './finish-reason.ts';
