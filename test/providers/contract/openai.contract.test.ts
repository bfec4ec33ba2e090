// The adapter contract for the OpenAI wire, with the exact expectations kept
// for its recordings (replay-expectations.ts).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ErrorType } from '../../../lib/api/errors.ts';
import * as openai from '../../../lib/providers/openai/index.ts';
import { ownExpectations, sharedExpectations, type ExpectedError, type ExpectedReply } from '../openai/replay-expectations.ts';
import { openaiEndpoint, summarize } from '../openai/support.ts';
import { describeProviderContract, type Fixture, type Outcome } from './provider-contract.ts';

const RETRY_AFTER_SECONDS = 20;

/** What the mapping promises for each status, whatever the body says (a 400's type depends on its code). */
function expectedForStatus(status: number): Pick<ExpectedError, 'status' | 'retryable'> & { type?: ErrorType } {
  if (status === 401 || status === 402 || status === 403) return { status: 502, type: 'provider_unavailable', retryable: true };
  if (status === 429) return { status: 429, type: 'rate_limit_exceeded', retryable: true };
  if (status === 503) return { status: 503, type: 'provider_overloaded', retryable: true };
  if (status >= 500) return { status: 502, type: status === 504 ? 'timeout' : 'provider_unavailable', retryable: true };
  if (status === 404) return { status: 404, type: 'not_found', retryable: false };
  return { status, retryable: false };
}

function recordedMessage(file: string): string | undefined {
  const body: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof body !== 'object' || body === null) return undefined;
  const nested: unknown = 'error' in body ? body.error : body;
  if (typeof nested === 'string') return nested;
  if (typeof nested === 'object' && nested !== null && 'message' in nested && typeof nested.message === 'string') return nested.message;
  return undefined;
}

function check(fixture: Fixture, outcome: Outcome): void {
  const expected = (fixture.corpus === 'own' ? ownExpectations : sharedExpectations)[fixture.name];
  if (fixture.corpus === 'own') expect(expected, `an expectation for ${fixture.name}`).toBeDefined();
  if (outcome.kind === 'rejected') {
    const { error } = outcome;
    expect(error).toMatchObject(expectedForStatus(fixture.status));
    if (fixture.status === 429) expect(error.retryAfterMs).toBe(RETRY_AFTER_SECONDS * 1000);
    if (fixture.status >= 500 || fixture.status === 401 || fixture.status === 403) {
      // Our own account's problems and server faults never reach the caller in the upstream's words.
      const upstreamMessage = recordedMessage(fixture.file);
      expect(upstreamMessage).toBeDefined();
      expect(error.message).not.toContain(upstreamMessage);
      expect(error.toResponseBody()).not.toContain(upstreamMessage);
    }
    if (expected !== undefined) expect(error).toMatchObject(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(outcome.events).toEqual(expected);
    return;
  }
  if (expected === undefined) {
    // A recording this suite has no expectation for yet: it must at least finish cleanly.
    expect(outcome.events.at(-1)?.type).toBe('finish');
    return;
  }
  const { last, ...rest } = summarize(outcome.events);
  const { last: expectedLast, ...expectedRest } = expected as ExpectedReply;
  expect(rest).toEqual({ upstreamId: undefined, systemFingerprint: undefined, text: '', textDeltas: 0, refusal: '', reasoning: '', toolCalls: [], argumentDeltas: 0, ...expectedRest });
  expect(last).toEqual(expectedLast);
}

describeProviderContract({
  kind: 'openai',
  adapter: openai.createAdapter(),
  providerName: 'Acme AI',
  // xAI's recordings are replayed as the default catalog configures xAI: reasoning counted outside completion_tokens.
  // Azure's, by a resource's deployment route.
  endpoint: (baseUrl, fixture) =>
    openaiEndpoint({
      baseUrl: fixture?.name.includes('-azure') === true ? `${baseUrl}/openai` : `${baseUrl}/v1`,
      ...(fixture?.name.includes('-xai') === true ? { usageCounting: { reasoningOutsideCompletion: true } } : {}),
      ...(fixture?.name.includes('-azure') === true ? { azure: { route: 'deployments' as const, apiVersion: '2024-10-21' } } : {}),
    }),
  credential: 'sk-test',
  headers: (fixture) => ({
    'content-type': fixture.name.endsWith('.sse') ? 'text/event-stream; charset=utf-8' : 'application/json',
    ...(fixture.status === 429 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}),
  }),
  check,
});
