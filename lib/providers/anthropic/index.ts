export { createAdapter, ANTHROPIC_VERSION } from './adapter.ts';
export { convertRequest, type AnthropicRequestInput } from './request-conversion.ts';
export type { AnthropicRequest } from './request-types.ts';
export { convertResponse } from './response-conversion.ts';
export { streamConversion, type StreamState } from './stream-conversion.ts';
export { convertFinishReason } from './finish-reason.ts';
export { convertUsage } from './usage.ts';
export { mapErrorReply, mapStreamError } from './error-mapping.ts';
