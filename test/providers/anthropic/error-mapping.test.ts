import { describe, expect, it } from 'vitest';
import { mapErrorReply, mapStreamError } from '../../../lib/providers/anthropic/error-mapping.ts';

const provider = 'Anthropic';

describe('mapStreamError: an error type without a status (an `error` stream event)', () => {
  it.each([
    ['overloaded_error', 503, 'provider_overloaded', true],
    ['rate_limit_error', 429, 'rate_limit_exceeded', true],
    ['api_error', 502, 'provider_unavailable', true],
    ['timeout_error', 502, 'timeout', true],
    ['invalid_request_error', 400, 'invalid_request', false],
    ['not_found_error', 404, 'not_found', false],
    ['authentication_error', 502, 'provider_unavailable', true],
    ['permission_error', 502, 'provider_unavailable', true],
    ['billing_error', 502, 'provider_unavailable', true],
    ['request_too_large', 413, 'payload_too_large', false],
  ])('%s → %i %s, retryable %s', (type, status, errorType, retryable) => {
    const error = mapStreamError({ type, message: 'upstream words' }, provider);

    expect([error.status, error.type, error.retryable, error.providerCode]).toEqual([status, errorType, retryable, type]);
  });
});

describe('mapErrorReply: an error reply', () => {
  const reply = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers: new Headers(headers) });

  it('keeps the message of an invalid request, the caller can fix it', async () => {
    const error = mapErrorReply(
      reply(400, '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be at most 64000"}}'),
      provider,
    );

    expect([error.status, error.type, error.retryable, error.publicMessage]).toEqual([400, 'invalid_request', false, 'max_tokens: must be at most 64000']);
  });

  it('never shows Anthropic’s words for rate limits and server errors', async () => {
    const limited = mapErrorReply(
      reply(429, '{"type":"error","error":{"type":"rate_limit_error","message":"organization 0b1c2d3e exceeded 50 RPM"}}', { 'retry-after': '12' }),
      provider,
    );
    const failed = mapErrorReply(reply(500, '{"type":"error","error":{"type":"api_error","message":"stack at worker-7"}}'), provider);

    expect(limited.publicMessage).toBe('The provider is rate limiting requests');
    expect(limited.retryAfterMs).toBe(12_000);
    expect(JSON.stringify(limited.toWire())).not.toContain('0b1c2d3e');
    expect(failed.message).not.toContain('worker-7');
    expect(failed.toResponseBody()).not.toContain('worker-7');
  });

  it('classifies a body that is not Anthropic’s envelope by its status', async () => {
    const unauthorised = mapErrorReply(reply(401, '<html>Unauthorized</html>'), provider);
    const unavailable = mapErrorReply(reply(503, '<html>Service Unavailable</html>'), provider);

    expect([unauthorised.status, unauthorised.type, unauthorised.retryable]).toEqual([502, 'provider_unavailable', true]);
    expect([unavailable.status, unavailable.type, unavailable.retryable]).toEqual([503, 'provider_overloaded', true]);
    expect(unavailable.message).not.toContain('html');
  });
});
