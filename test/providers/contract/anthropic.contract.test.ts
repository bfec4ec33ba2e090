// The adapter contract for the Anthropic Messages wire, with the exact
// expectations kept for its recordings (../anthropic/expectations).
import { expect } from 'vitest';
import * as anthropic from '../../../lib/providers/anthropic/index.ts';
import * as own from '../anthropic/expectations/own-fixtures.ts';
import * as shared from '../anthropic/expectations/shared-recordings.ts';
import { anthropicEndpoint } from '../anthropic/support/endpoint.ts';
import { expectWellFormed, summarize } from '../anthropic/support/event-summary.ts';
import { describeProviderContract, type Fixture, type Outcome } from './provider-contract.ts';

function check(fixture: Fixture, outcome: Outcome): void {
  const expectations = fixture.corpus === 'own' ? own : shared;
  if (outcome.kind === 'rejected') {
    const expectation = expectations.errors[fixture.name];
    if (fixture.corpus === 'own') expect(expectation, `an expectation for ${fixture.name}`).toBeDefined();
    if (expectation === undefined) return;
    const { error } = outcome;
    expect({ status: error.status, type: error.type, retryable: error.retryable, providerCode: error.providerCode }).toEqual({
      status: expectation.status,
      type: expectation.type,
      retryable: expectation.retryable,
      providerCode: expectation.providerCode,
    });
    if (expectation.publicMessage !== undefined) expect(error.publicMessage).toBe(expectation.publicMessage);
    return;
  }
  // Anthropic's reasoning is always in Claude's format.
  expectWellFormed(outcome.events);
  const expectation = expectations.replies[fixture.name];
  if (fixture.corpus === 'own') expect(expectation, `an expectation for ${fixture.name}`).toBeDefined();
  if (expectation !== undefined) expect(summarize(outcome.events)).toEqual(expectation);
}

describeProviderContract({
  kind: 'anthropic',
  adapter: anthropic.createAdapter(),
  providerName: 'Anthropic',
  endpoint: (baseUrl) => anthropicEndpoint({ baseUrl }),
  credential: 'sk-ant-test-key',
  headers: (fixture) => ({ 'content-type': fixture.shape === 'stream' ? 'text/event-stream; charset=utf-8' : 'application/json', 'request-id': 'req_replay' }),
  check,
});
