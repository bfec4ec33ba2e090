// Recorded OpenAI traffic replayed by a real HTTP server on loopback, written
// in several pieces, through the adapter: every file of the shared corpus
// (when it is present) and every file of the repository's own fixtures.
import { faultOf } from '../../../lib/providers/provider-error.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type ErrorType } from '../../../lib/api/errors.ts';
import { createAdapter as createOpenaiAdapter } from '../../../lib/providers/openai/index.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { ownExpectations, sharedExpectations, type ExpectedError, type ExpectedReply } from './replay-expectations.ts';
import { chatCall, collect, expectWellFormed, openaiEndpoint, ownFixtures, sharedFixtures, startReplayServer, summarize, type ReplayServer } from './support.ts';

const openaiAdapter = createOpenaiAdapter();

const RETRY_AFTER_SECONDS = 20;

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server.close();
});

type Outcome = { kind: 'events'; events: StreamEvent[] } | { kind: 'rejected'; error: unknown };

async function replay(file: string): Promise<Outcome> {
  const name = path.basename(file);
  const body = readFileSync(file);
  const endpoint = openaiEndpoint({ baseUrl: `${server.url}/v1` });
  if (name.startsWith('error-')) {
    const status = statusOf(name);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
    server.reply({ status, headers, body, pieces: 3 });
  } else if (name.endsWith('.sse')) {
    server.reply({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body, pieces: 9 });
  } else {
    server.reply({ status: 200, headers: { 'content-type': 'application/json' }, body, pieces: 4 });
  }
  const before = server.requests.length;
  try {
    const events = await collect(await openaiAdapter.send(chatCall({ endpoint, stream: name.endsWith('.sse') })));
    return { kind: 'events', events };
  } catch (error) {
    return { kind: 'rejected', error };
  } finally {
    expect(server.requests.slice(before).map((request) => `${request.method} ${request.url}`)).toEqual(['POST /v1/chat/completions']);
  }
}

function statusOf(name: string): number {
  const status = Number(name.split('-')[1]);
  if (!Number.isInteger(status)) throw new Error(`${name}: error fixtures are named error-<status>-<case>.json`);
  return status;
}

/** What the mapping promises for each status, whatever the body says (a 400's type depends on its code). */
function expectedForStatus(status: number): Pick<ExpectedError, 'status' | 'retryable'> & { type?: ErrorType } {
  if (status === 401 || status === 402 || status === 403) return { status: 502, type: 'provider_unavailable', retryable: true };
  if (status === 429) return { status: 429, type: 'rate_limit_exceeded', retryable: true };
  if (status === 503) return { status: 503, type: 'provider_overloaded', retryable: true };
  if (status >= 500) return { status: 502, type: status === 504 ? 'timeout' : 'provider_unavailable', retryable: true };
  if (status === 404) return { status: 404, type: 'not_found', retryable: false };
  return { status, retryable: false };
}

async function checkFile(file: string, expected: ExpectedReply | ExpectedError | undefined): Promise<void> {
  const name = path.basename(file);
  const outcome = await replay(file);
  if (name.startsWith('error-')) {
    expect(outcome.kind).toBe('rejected');
    const error = outcome.kind === 'rejected' ? outcome.error : undefined;
    if (!(error instanceof GatewayError)) throw new Error(`${name}: expected a GatewayError, got ${String(error)}`);
    const status = statusOf(name);
    expect(error).toMatchObject({ ...expectedForStatus(status), provider: 'Acme AI' });
    expect(faultOf(error).upstreamStatus).toBe(status);
    if (status === 429) expect(error.retryAfterMs).toBe(RETRY_AFTER_SECONDS * 1000);
    if (status >= 500 || status === 401 || status === 403) {
      // Our own account's problems and server faults never reach the caller in the upstream's words.
      const upstreamMessage = recordedMessage(file);
      expect(upstreamMessage).toBeDefined();
      expect(error.message).not.toContain(upstreamMessage);
      expect(error.toResponseBody()).not.toContain(upstreamMessage);
    }
    if (expected !== undefined) expect(error).toMatchObject(expected);
    return;
  }
  if (outcome.kind !== 'events') throw outcome.error;
  expectWellFormed(outcome.events);
  if (expected === undefined) {
    // A recording this suite has no expectation for yet: it must at least finish cleanly.
    expect(outcome.events.at(-1)?.type).toBe('finish');
    return;
  }
  const { last, ...rest } = summarize(outcome.events);
  const { last: expectedLast, ...expectedRest } = expected as ExpectedReply;
  expect(rest).toEqual({
    upstreamId: undefined,
    systemFingerprint: undefined,
    text: '',
    textDeltas: 0,
    refusal: '',
    reasoning: '',
    toolCalls: [],
    argumentDeltas: 0,
    ...expectedRest,
  });
  expect(last).toEqual(expectedLast);
}

function recordedMessage(file: string): string | undefined {
  const body: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof body !== 'object' || body === null) return undefined;
  const nested: unknown = 'error' in body ? body.error : body;
  if (typeof nested === 'string') return nested;
  if (typeof nested === 'object' && nested !== null && 'message' in nested && typeof nested.message === 'string') return nested.message;
  return undefined;
}

function fixtureFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /\.(sse|json)$/.test(name))
    .sort()
    .map((name) => path.join(directory, name));
}

// Without ../shared beside the repository, this suite has no cases and is not registered.
const sharedFiles = fixtureFiles(sharedFixtures);
if (sharedFiles.length > 0) describe('replay of the shared recordings', () => {
  for (const file of sharedFiles) {
    const name = path.basename(file);
    it(name, async () => {
      await checkFile(file, sharedExpectations[name]);
    });
  }
});

describe('replay of the repository fixtures', () => {
  const files = fixtureFiles(ownFixtures);

  it('has an expectation for every fixture file, and a file for every expectation', () => {
    expect(files.map((file) => path.basename(file))).toEqual(Object.keys(ownExpectations).sort());
  });

  for (const file of files) {
    const name = path.basename(file);
    it(name, async () => {
      const expected = ownExpectations[name];
      if (Array.isArray(expected)) {
        const outcome = await replay(file);
        if (outcome.kind !== 'events') throw outcome.error;
        expectWellFormed(outcome.events);
        expect(outcome.events).toEqual(expected);
      } else {
        await checkFile(file, expected);
      }
    });
  }
});
