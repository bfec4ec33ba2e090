import { describe, expect, it } from 'vitest';
import { faultOf } from '../../../lib/providers/provider-error.ts';
import { mapErrorReply, parseRpcStatus, retryDelayMs } from '../../../lib/providers/gemini/error-mapping.ts';
import { ownFixtures, readFixture, statusOf } from './support.ts';

const provider = 'Google AI Studio';

function errorFromFixture(name: string, headers?: Headers) {
  const body = readFixture(ownFixtures, name).toString('utf8');
  return { body, error: mapErrorReply({ status: statusOf(name), body, headers: headers ?? new Headers() }, provider) };
}

describe('Gemini error mapping', () => {
  it.each([
    ['error-400-api-key-invalid.json', { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'INVALID_ARGUMENT' }],
    ['error-400-failed-precondition.json', { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'FAILED_PRECONDITION' }],
    ['error-403-permission-denied.json', { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'PERMISSION_DENIED' }],
    ['error-400-invalid-argument.json', { status: 400, type: 'invalid_request', retryable: false, providerCode: 'INVALID_ARGUMENT' }],
    ['error-400-context-length.json', { status: 400, type: 'context_length_exceeded', retryable: false, providerCode: 'INVALID_ARGUMENT' }],
    ['error-404.json', { status: 404, type: 'not_found', retryable: false, providerCode: 'NOT_FOUND' }],
    ['error-429.json', { status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'RESOURCE_EXHAUSTED', retryAfterMs: 21_000 }],
    ['error-500-internal.json', { status: 502, type: 'provider_unavailable', retryable: true, providerCode: 'INTERNAL' }],
    ['error-503-unavailable.json', { status: 503, type: 'provider_overloaded', retryable: true, providerCode: 'UNAVAILABLE' }],
  ])('%s', (name, expected) => {
    const { error } = errorFromFixture(name);
    expect(error).toMatchObject({ ...expected, provider });
  });

  it('keeps the upstream message on 4xx caused by the request', () => {
    const { error } = errorFromFixture('error-404.json');
    expect(error.publicMessage).toBe(
      'models/gemini-9.9-ultra is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
    );
    expect(error.toWire().metadata).toMatchObject({ provider_code: 'NOT_FOUND' });
    expect(error.toWire().metadata).not.toHaveProperty('upstream_status');
    expect(faultOf(error)).toEqual({ upstreamStatus: 404, credentialRejected: false });
  });

  it.each(['error-500-internal.json', 'error-503-unavailable.json', 'error-400-api-key-invalid.json', 'error-403-permission-denied.json'])(
    'never carries the upstream body of %s, not even in its own message',
    (name) => {
      const { body, error } = errorFromFixture(name);
      const upstreamMessage = parseRpcStatus(body)?.message ?? '';
      expect(upstreamMessage).not.toBe('');
      expect(error.message).not.toContain(upstreamMessage);
      expect(error.toResponseBody()).not.toContain(upstreamMessage);
      expect(error.publicMessage).toBe('Provider returned error (Google AI Studio)');
    },
  );

  it('falls back to the retry-after header when there is no RetryInfo', () => {
    const body = JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } });
    const error = mapErrorReply({ status: 429, body, headers: new Headers({ 'retry-after': '7' }) }, provider);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('reads RetryInfo durations with fractions', () => {
    expect(retryDelayMs({ details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }] })).toBe(34_400);
    expect(retryDelayMs({ details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: 'soon' }] })).toBeUndefined();
  });

  it('copes with a body that is not a Status', () => {
    expect(parseRpcStatus('<html>Bad Gateway</html>')).toBeUndefined();
    const error = mapErrorReply({ status: 502, body: '<html>Bad Gateway</html>', headers: new Headers() }, provider);
    expect(error).toMatchObject({ status: 502, retryable: true, message: 'Provider returned error 502', providerCode: undefined });
  });

  it('reads a Status wrapped in an array', () => {
    expect(parseRpcStatus('[{"error":{"code":400,"message":"Bad","status":"INVALID_ARGUMENT"}}]')).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
    });
  });
});
