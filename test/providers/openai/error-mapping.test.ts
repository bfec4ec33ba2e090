import { describe, expect, it } from 'vitest';
import { mapErrorReply, mapStreamError } from '../../../lib/providers/openai/error-mapping.ts';
import { faultOf } from '../../../lib/providers/provider-error.ts';

const PROVIDER = 'Acme AI';
const NOW = Date.parse('2025-07-01T12:00:00Z');

const openaiBody = (error: Record<string, unknown>): string => `${JSON.stringify({ error }, null, 4)}\n`;
const map = (status: number, body: string, headers: Record<string, string> = {}) =>
  mapErrorReply({ status, body, headers: new Headers(headers) }, PROVIDER, NOW);

describe('mapErrorReply', () => {
  it('keeps the upstream message and code of a 400, not retryable', () => {
    const error = map(400, openaiBody({ message: "Unsupported parameter: 'max_tokens'", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' }));
    expect(error).toMatchObject({ status: 400, type: 'invalid_request', retryable: false, provider: PROVIDER, providerCode: 'unsupported_parameter' });
    expect(error.message).toBe("Unsupported parameter: 'max_tokens'");
    expect(error.toWire().metadata).toEqual({ error_type: 'invalid_request', provider_code: 'unsupported_parameter', provider_name: PROVIDER });
    expect(faultOf(error)).toEqual({ upstreamStatus: 400, credentialRejected: false });
  });

  it('falls back to the error type when there is no code', () => {
    expect(map(400, openaiBody({ message: 'Bad', type: 'invalid_request_error', code: null })).providerCode).toBe('invalid_request_error');
  });

  it('recognises context-length and content-policy failures', () => {
    expect(map(400, openaiBody({ message: 'Too long', code: 'context_length_exceeded' })).type).toBe('context_length_exceeded');
    expect(map(400, openaiBody({ message: 'Flagged', code: 'content_policy_violation' })).type).toBe('content_policy_violation');
  });

  it.each([
    [404, 'not_found'],
    [413, 'payload_too_large'],
    [422, 'invalid_request'],
  ])('%i is not retryable (%s)', (status, type) => {
    const error = map(status, openaiBody({ message: 'No', type: 'invalid_request_error' }));
    expect(error).toMatchObject({ status, type, retryable: false });
  });

  it('429 is retryable even for an exhausted quota, and honours retry-after', () => {
    const quota = map(429, openaiBody({ message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' }), { 'retry-after': '20' });
    expect(quota).toMatchObject({ status: 429, type: 'rate_limit_exceeded', retryable: true, providerCode: 'insufficient_quota', retryAfterMs: 20_000 });
    expect(map(429, '', { 'retry-after-ms': '210' }).retryAfterMs).toBe(210);
    expect(map(429, '', { 'retry-after': 'Tue, 01 Jul 2025 12:00:30 GMT' }).retryAfterMs).toBe(30_000);
    expect(map(429, '').retryAfterMs).toBeUndefined();
  });

  it.each([401, 402, 403])('%i means our credential is bad: 502, retryable, upstream status kept, no upstream words', (status) => {
    const error = map(status, openaiBody({ message: 'Incorrect API key provided: sk-proj-****abcd.', type: 'invalid_request_error', code: 'invalid_api_key' }));
    expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true, provider: PROVIDER });
    expect(faultOf(error)).toEqual({ upstreamStatus: status, credentialRejected: true });
    expect(error.toWire().metadata).not.toHaveProperty('upstream_status');
    expect(error.message).not.toContain('sk-proj');
    expect(error.toResponseBody()).not.toContain('sk-proj');
  });

  it('5xx become 502/503 without the upstream body', () => {
    const server = map(500, openaiBody({ message: 'Internal detail: shard 12 of cluster eu-3 failed', type: 'server_error' }));
    expect(server).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
    expect(server.message).not.toContain('shard');
    expect(server.toResponseBody()).not.toContain('shard');
    expect(map(503, openaiBody({ message: 'The engine is currently overloaded' }))).toMatchObject({ status: 503, type: 'provider_overloaded', retryable: true });
    expect(map(504, '<html>Gateway Timeout</html>')).toMatchObject({ status: 502, type: 'timeout', retryable: true });
  });

  it('reads the flat bodies of vLLM and Mistral and the string errors of Ollama', () => {
    const vllm = map(400, JSON.stringify({ object: 'error', message: "'max_tokens' is too large", type: 'BadRequestError', param: null, code: 400 }));
    expect(vllm).toMatchObject({ status: 400, message: "'max_tokens' is too large", providerCode: 'BadRequestError' });
    const ollama = map(404, JSON.stringify({ error: "model 'llama9' not found" }));
    expect(ollama).toMatchObject({ status: 404, message: "model 'llama9' not found", providerCode: undefined });
  });

  it('survives bodies that are not JSON, and bounds long messages', () => {
    expect(map(400, 'Bad Request')).toMatchObject({ status: 400, message: 'Provider returned error 400' });
    expect(map(400, '[1,2]')).toMatchObject({ status: 400, message: 'Provider returned error 400' });
    expect(map(400, openaiBody({ message: 'x'.repeat(5000) })).message.length).toBeLessThanOrEqual(1001);
  });
});

describe('mapStreamError', () => {
  it('uses a numeric code as the status, else treats it as a server error', () => {
    expect(mapStreamError({ message: 'Too many requests', code: 429 }, PROVIDER)).toMatchObject({ status: 429, retryable: true });
    expect(mapStreamError({ message: 'boom', type: 'server_error', code: null }, PROVIDER)).toMatchObject({ status: 502, providerCode: 'server_error' });
    expect(mapStreamError('overloaded', PROVIDER)).toMatchObject({ status: 502, type: 'provider_unavailable' });
  });
});
