import { describe, expect, it } from 'vitest';
import { mapErrorReply, mapStreamError, normalizeErrorType } from '../../../lib/providers/bedrock/error-mapping.ts';
import { convertFinishReason } from '../../../lib/providers/bedrock/finish-reason.ts';
import { convertUsage } from '../../../lib/providers/bedrock/usage.ts';

describe('Bedrock error mapping', () => {
  it.each([
    ['ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', 'ThrottlingException'],
    ['com.amazon.coral.service#UnrecognizedClientException', 'UnrecognizedClientException'],
    ['throttlingException', 'ThrottlingException'],
    ['ValidationException', 'ValidationException'],
  ])('reads the error type of %s', (raw, expected) => {
    expect(normalizeErrorType(raw)).toBe(expected);
  });

  it.each([
    ['throttlingException', 429, 'rate_limit_exceeded', true],
    ['modelStreamErrorException', 502, 'provider_unavailable', true],
    ['internalServerException', 502, 'provider_unavailable', true],
    ['serviceUnavailableException', 503, 'provider_overloaded', true],
    ['validationException', 400, 'invalid_request', false],
    ['ModelNotReadyException', 503, 'provider_overloaded', true],
    ['ModelTimeoutException', 408, 'timeout', true],
    ['ResourceNotFoundException', 404, 'not_found', false],
    ['AccessDeniedException', 502, 'provider_unavailable', true],
    ['UnrecognizedClientException', 502, 'provider_unavailable', true],
  ])('classifies %s as %i %s (retryable: %s)', (errorType, status, type, retryable) => {
    const error = mapStreamError(errorType, 'upstream says no', 'Amazon Bedrock');

    expect(error).toMatchObject({ status, type, retryable, provider: 'Amazon Bedrock' });
    // What the caller sees: their own mistake explained, our failures masked.
    expect(error.publicMessage === 'upstream says no').toBe(status < 500);
  });

  it('falls back to the HTTP status for error types it does not know', () => {
    expect(mapErrorReply({ status: 409, headers: new Headers({ 'x-amzn-errortype': 'BrandNewException' }), body: '{"message":"x"}' }, 'Amazon Bedrock')).toMatchObject({
      status: 409,
      retryable: true,
      providerCode: 'BrandNewException',
    });
  });
});

describe('Bedrock finish reasons', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_tool_use', 'error'],
  ])('maps %s to %s', (stopReason, expected) => {
    expect(convertFinishReason(stopReason)).toBe(expected);
  });
});

describe('Bedrock usage', () => {
  it('counts the cache into the prompt, reading the older field names too', () => {
    expect(convertUsage({ inputTokens: 2, outputTokens: 5, cacheReadInputTokenCount: 1322, cacheWriteInputTokenCount: 7 })).toEqual({
      promptTokens: 1331,
      completionTokens: 5,
      cachedTokens: 1322,
      cacheWriteTokens: 7,
      reasoningTokens: 0,
    });
  });
});
