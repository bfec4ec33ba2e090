// The adapter contract for the Gemini API wire, with the exact expectations
// kept for its recordings (../gemini/expectations.ts).
import { expect } from 'vitest';
import * as gemini from '../../../lib/providers/gemini/index.ts';
import { checkShared, ownExpectations, sharedExpectations } from '../gemini/expectations.ts';
import { geminiEndpoint, summarize } from '../gemini/support.ts';
import { describeProviderContract, type Fixture, type Outcome } from './provider-contract.ts';

function check(fixture: Fixture, outcome: Outcome): void {
  if (fixture.corpus === 'shared') {
    if (outcome.kind === 'events') checkShared(fixture.name, outcome.events);
    else {
      const rejects = sharedExpectations[fixture.name]?.rejects;
      if (rejects !== undefined) expect(outcome.error).toMatchObject({ ...rejects, provider: 'Google AI Studio' });
    }
    return;
  }
  const want = ownExpectations[fixture.name];
  if (want === undefined) throw new Error(`no expectation for ${fixture.name}`);
  if ('rejects' in want) {
    expect(outcome.kind === 'rejected' && outcome.error).toMatchObject(want.rejects);
    return;
  }
  if (outcome.kind === 'rejected') throw outcome.error;
  expect(summarize(outcome.events)).toEqual(want);
}

describeProviderContract({
  kind: 'gemini',
  adapter: gemini.createAdapter(),
  providerName: 'Google AI Studio',
  endpoint: (baseUrl) => geminiEndpoint({ baseUrl }),
  credential: 'gemini-test-key',
  // A stream recording that is one JSON array (streamGenerateContent without alt=sse) is served as JSON, as Google does.
  headers: (fixture) => ({ 'content-type': fixture.name.endsWith('.sse') ? 'text/event-stream' : 'application/json' }),
  check,
});
