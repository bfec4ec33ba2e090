// The adapter contract for the Amazon Bedrock wire (Converse and
// ConverseStream), with what each recording must give (../bedrock/recorded-stream.ts
// derives it from the recording itself). Streams are recorded as JSON lines of
// event-stream messages and re-encoded into the binary frames Bedrock sends;
// an error's type travels in the x-amzn-ErrorType header, named by the file.
import { expect } from 'vitest';
import * as bedrock from '../../../lib/providers/bedrock/index.ts';
import { expectedConverseSummary, expectedSummary, summarize } from '../bedrock/recorded-stream.ts';
import { bedrockEndpoint, concatBytes, encodeMessage, readJsonFixture, readStreamFixture, staticCredentials } from '../bedrock/support.ts';
import { describeProviderContract, type Fixture, type Outcome } from './provider-contract.ts';

/** The error type of each `error-<status>-<case>.json`, by case, and what it maps to. */
const errorTypes: Record<string, { header: string; status: number; type: string; retryable: boolean }> = {
  validation: { header: 'ValidationException', status: 400, type: 'invalid_request', retryable: false },
  'validation-too-long': { header: 'ValidationException', status: 400, type: 'context_length_exceeded', retryable: false },
  throttling: { header: 'ThrottlingException', status: 429, type: 'rate_limit_exceeded', retryable: true },
  'access-denied': { header: 'AccessDeniedException', status: 502, type: 'provider_unavailable', retryable: true },
  'resource-not-found': { header: 'ResourceNotFoundException', status: 404, type: 'not_found', retryable: false },
  'model-timeout': { header: 'ModelTimeoutException', status: 408, type: 'timeout', retryable: true },
  'internal-server': { header: 'InternalServerException', status: 502, type: 'provider_unavailable', retryable: true },
  'service-unavailable': { header: 'ServiceUnavailableException', status: 503, type: 'provider_overloaded', retryable: true },
};

function errorTypeOf(fixture: Fixture) {
  const expected = errorTypes[/^error-\d{3}-(.+)\.json$/.exec(fixture.name)?.[1] ?? ''];
  if (expected === undefined) throw new Error(`no error type for ${fixture.name}`);
  return expected;
}

function check(fixture: Fixture, outcome: Outcome): void {
  if (outcome.kind === 'rejected') {
    const expected = errorTypeOf(fixture);
    const { error } = outcome;
    expect(error).toMatchObject({ status: expected.status, type: expected.type, retryable: expected.retryable });
    expect(error.providerCode).toBe(expected.header);
    const upstreamMessage = Object.values(readJsonFixture(fixture.file) as Record<string, string>)[0] ?? '';
    // 5xx never echo the upstream body, not even to our own logs via the message.
    if (expected.status >= 500) expect(error.message).not.toContain(upstreamMessage);
    else expect(error.message).toBe(upstreamMessage);
    return;
  }
  const { events } = outcome;
  expect(events[0]).toEqual({ type: 'start', upstreamId: 'req-contract' });
  if (fixture.shape === 'stream') expect(summarize(events)).toEqual(expectedSummary(readStreamFixture(fixture.file)));
  else {
    expect(summarize(events)).toEqual(expectedConverseSummary(readJsonFixture(fixture.file)));
    expect(events.at(-1)?.type).toBe('finish');
  }
}

describeProviderContract({
  kind: 'bedrock',
  adapter: bedrock.createAdapter({ awsCredentials: staticCredentials }),
  providerName: 'Amazon Bedrock',
  endpoint: (baseUrl) => bedrockEndpoint({ baseUrl, region: 'us-east-1' }),
  wireBytes: (fixture, bytes) => (fixture.shape === 'stream' ? concatBytes(readStreamFixture(fixture.file).map(encodeMessage)) : bytes),
  headers: (fixture): Record<string, string> => {
    if (fixture.shape === 'error') {
      return { 'content-type': 'application/json', 'x-amzn-errortype': `${errorTypeOf(fixture).header}:http://internal.amazon.com/coral/com.amazon.bedrock/` };
    }
    const contentType = fixture.shape === 'stream' ? 'application/vnd.amazon.eventstream' : 'application/json';
    return { 'content-type': contentType, 'x-amzn-requestid': 'req-contract' };
  },
  check,
});
