// The one contract every provider adapter keeps (lib/providers/types.ts),
// checked the same way for each: every recorded reply of the repository's
// fixtures (test/fixtures/<kind>) and of the shared corpus
// (../shared/fixtures/<kind>, read in place when present) is served by one
// loopback upstream, whole and cut unevenly, and must give well-formed
// events (one start at most, first; exactly one finish or error, last; tool
// calls indexed 0, 1, … in order; usage that adds up), the same events
// however the body is cut, typed errors for error replies (upstream status
// and credential rejection for routing, nothing of the body in a 5xx), and an
// abort or a cut-off body that ends in one error event. A new provider is
// done when `describeProviderContract` passes for it.
//
// Recordings are named one way: `stream-<case>.<ext>` (a streamed reply),
// `response-<case>.json` (a whole JSON reply), `error-<status>[-<case>].json`
// (an error reply). The shared corpus's Bedrock recordings keep the names
// they were recorded under (`converse-stream-…`, `converse-…`) and are read
// as stream and response recordings.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/api/errors.ts';
import type { Endpoint } from '../../../lib/catalog/catalog.ts';
import type { WireKind } from '../../../lib/catalog/schema.ts';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { faultOf } from '../../../lib/providers/provider-error.ts';
import type { ProviderAdapter } from '../../../lib/providers/types.ts';
import { isContentEvent, type StreamEvent } from '../../../lib/streaming/events.ts';
import { cutsInsideCharacters, splitInsideCharacters, splitUnevenly, startLoopbackUpstream, type LoopbackUpstream, type ScriptedReply } from '../../support/loopback-upstream.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface Fixture {
  name: string;
  file: string;
  corpus: 'own' | 'shared';
  shape: 'stream' | 'response' | 'error';
  /** The HTTP status the recording was answered with. */
  status: number;
}

export type Outcome = { kind: 'events'; events: StreamEvent[] } | { kind: 'rejected'; error: GatewayError };

export interface ContractSubject {
  kind: WireKind;
  adapter: ProviderAdapter;
  /** The provider's display name in the endpoint `endpoint` builds (errors carry it). */
  providerName: string;
  /** The endpoint a recording is replayed against (a provider's own usage counting, named by the recording). */
  endpoint(baseUrl: string, fixture?: Fixture): Endpoint;
  credential?: string;
  /** The recording as the upstream sends it (Bedrock's JSON lines become binary event-stream frames); the file's bytes by default. */
  wireBytes?(fixture: Fixture, bytes: Buffer): Uint8Array;
  /** The reply headers of a recording, beside its status (a content type; Bedrock's error type header, named by the file). */
  headers(fixture: Fixture): Record<string, string>;
  /** Exact expectations the provider's own tests keep for some recordings. */
  check?(fixture: Fixture, outcome: Outcome): void;
}

const NAMED = /^(?:(?<stream>stream)-.+\.(?:sse|jsonl|json)|(?<response>response)-.+\.json|error-(?<status>\d{3})(?:-.+)?\.json)$/;
const SHARED_BEDROCK_ALIAS = /^converse-(?<stream>stream-)?.+\.(?:jsonl|json)$/;

export function fixturesOf(kind: WireKind): Fixture[] {
  const corpora = [
    { corpus: 'own' as const, directory: path.join(repoRoot, 'test/fixtures', kind) },
    { corpus: 'shared' as const, directory: path.resolve(repoRoot, '../shared/fixtures', kind) },
  ];
  return corpora.flatMap(({ corpus, directory }) => {
    if (!existsSync(directory)) return [];
    return readdirSync(directory)
      .sort()
      .flatMap((name): Fixture[] => {
        const file = path.join(directory, name);
        const named = NAMED.exec(name)?.groups;
        if (named !== undefined) {
          const shape = named.stream !== undefined ? 'stream' : named.response !== undefined ? 'response' : 'error';
          return [{ name, file, corpus, shape, status: named.status === undefined ? 200 : Number(named.status) }];
        }
        const alias = corpus === 'shared' && kind === 'bedrock' ? SHARED_BEDROCK_ALIAS.exec(name)?.groups : undefined;
        if (alias !== undefined) return [{ name, file, corpus, shape: alias.stream !== undefined ? 'stream' : 'response', status: 200 }];
        // Notes beside the recordings (README.md) are not replies.
        if (name.endsWith('.md')) return [];
        throw new Error(`${kind}/${name}: recordings are named stream-<case>, response-<case> or error-<status>-<case>`);
      });
  });
}

/** What every adapter's events promise, whatever the recording. */
export function expectWellFormed(events: readonly StreamEvent[]): void {
  const terminal = events.filter((event) => event.type === 'finish' || event.type === 'error');
  expect(terminal, 'exactly one finish or error').toHaveLength(1);
  expect(events.at(-1)?.type, 'the finish or error comes last').toMatch(/^(finish|error)$/);
  const starts = events.filter((event) => event.type === 'start');
  expect(starts.length).toBeLessThanOrEqual(1);
  if (starts.length === 1) expect(events[0]?.type, 'start comes first').toBe('start');
  let toolCalls = 0;
  for (const event of events) {
    switch (event.type) {
      case 'tool-call-start':
        expect(event.index, 'tool calls are indexed 0, 1, … in order').toBe(toolCalls);
        toolCalls += 1;
        break;
      case 'tool-call-delta':
        expect(event.index, 'a delta continues a started tool call').toBeLessThan(toolCalls);
        break;
      case 'text':
      case 'refusal':
        expect(event.text).not.toBe('');
        break;
      case 'finish':
        if (event.usage !== undefined) {
          const usage = event.usage;
          for (const count of Object.values(usage)) expect(Number.isInteger(count) && count >= 0, 'token counts are whole and not negative').toBe(true);
          expect(usage.cachedTokens + usage.cacheWriteTokens, 'cache reads and writes are part of the prompt').toBeLessThanOrEqual(usage.promptTokens);
          expect(usage.reasoningTokens, 'reasoning is part of the completion').toBeLessThanOrEqual(usage.completionTokens);
        }
        break;
      default:
        break;
    }
  }
}

/** The ways a body is cut for replay: three seeded uneven splits, and one inside every multi-byte character. */
function splits(name: string, bytes: Uint8Array): Uint8Array[][] {
  const uneven = ['a', 'b', 'c'].map((seed) => splitUnevenly(bytes, `${name}-${seed}`, 4 + Math.floor(bytes.byteLength / 200)));
  return [...uneven, splitInsideCharacters(bytes)];
}

export function describeProviderContract(subject: ContractSubject): void {
  const fixtures = fixturesOf(subject.kind);
  let upstream: LoopbackUpstream;
  beforeAll(async () => {
    upstream = await startLoopbackUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  const bytesOf = (fixture: Fixture): Uint8Array => {
    const raw = readFileSync(fixture.file);
    return subject.wireBytes?.(fixture, raw) ?? raw;
  };
  const call = (stream: boolean, signal: AbortSignal = new AbortController().signal, fixture?: Fixture) => ({
    request: chatRequest.parse({ model: 'contract/model', messages: [{ role: 'user', content: 'Hello' }], stream }),
    endpoint: subject.endpoint(upstream.url, fixture),
    stream,
    maxTokens: 1024,
    credential: subject.credential,
    signal,
    fetch: (url: string, init: RequestInit) => fetch(url, init),
  });
  async function replay(fixture: Fixture, reply: Omit<ScriptedReply, 'status' | 'headers'>, signal?: AbortSignal, onEvent?: (event: StreamEvent) => void): Promise<Outcome> {
    upstream.reply({ status: fixture.status, headers: subject.headers(fixture), ...reply });
    try {
      const events: StreamEvent[] = [];
      for await (const event of await subject.adapter.send(call(fixture.shape === 'stream', signal, fixture))) {
        events.push(event);
        onEvent?.(event);
      }
      return { kind: 'events', events };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      return { kind: 'rejected', error };
    }
  }

  describe(`${subject.kind}: the adapter contract`, () => {
    it('has recordings of every shape: streams, whole replies, errors', () => {
      const own = fixtures.filter((fixture) => fixture.corpus === 'own');
      expect(new Set(own.map((fixture) => fixture.shape))).toEqual(new Set(['stream', 'response', 'error']));
    });

    for (const fixture of fixtures) {
      const label = `${fixture.corpus} ${fixture.name}`;
      if (fixture.shape === 'error') {
        it(`${label}: a typed error routing can read, nothing of the body in a 5xx`, async () => {
          const outcome = await replay(fixture, { pieces: [bytesOf(fixture)] });
          if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome.events)}`);
          const { error } = outcome;
          const fault = faultOf(error);
          expect(error.provider).toBe(subject.providerName);
          expect(fault.upstreamStatus).toBe(fixture.status);
          if (fault.credentialRejected) expect([error.status, error.retryable]).toEqual([502, true]);
          else if (fixture.status >= 500 || fixture.status === 429 || fixture.status === 408) expect(error.retryable).toBe(true);
          else if (fixture.status === 400 || fixture.status === 404 || fixture.status === 413) expect(error.retryable).toBe(false);
          expect(error.toWire().metadata, 'clients never see the upstream status').not.toHaveProperty('upstream_status');
          if (error.status >= 500) {
            expect(error.publicMessage).toBe(`Provider returned error (${subject.providerName})`);
            expect(error.toResponseBody()).not.toContain(readFileSync(fixture.file, 'utf8').slice(0, 40));
          }
          subject.check?.(fixture, outcome);
        });
        continue;
      }
      it(`${label}: well-formed events, the same however the body is cut`, async () => {
        const bytes = bytesOf(fixture);
        const before = upstream.requests.length;
        const whole = await replay(fixture, { pieces: [bytes] });
        if (whole.kind !== 'events') throw whole.error;
        expectWellFormed(whole.events);
        expect(upstream.requests.slice(before).map((request) => request.method)).toEqual(['POST']);
        for (const pieces of splits(fixture.name, bytes)) {
          const cut = await replay(fixture, { pieces });
          if (cut.kind !== 'events') throw cut.error;
          expect(cut.events).toEqual(whole.events);
        }
        subject.check?.(fixture, whole);
      });
    }

    const streams = fixtures.filter((fixture) => fixture.corpus === 'own' && fixture.shape === 'stream');
    it('cuts its recorded streams inside UTF-8 characters too', () => {
      const cutInside = streams.some((fixture) => splits(fixture.name, bytesOf(fixture)).some((pieces) => cutsInsideCharacters(pieces) > 0));
      expect(cutInside).toBe(true);
    });

    /** A recorded stream with content in its first half, the subject of the failure cases. */
    const withContent = async (): Promise<{ fixture: Fixture; half: Uint8Array }> => {
      for (const fixture of streams) {
        const bytes = bytesOf(fixture);
        const half = bytes.subarray(0, Math.floor(bytes.byteLength / 2));
        const outcome = await replay(fixture, { pieces: [half] });
        if (outcome.kind === 'events' && outcome.events.some((event) => isContentEvent(event) && event.type !== 'finish')) return { fixture, half };
      }
      throw new Error(`${subject.kind}: no recorded stream has content in its first half`);
    };

    it('ends a body cut off by the upstream with one error event', async () => {
      const { fixture, half } = await withContent();
      const dropped = await replay(fixture, { pieces: [half], then: 'drop' });
      const ended = await replay(fixture, { pieces: [half] });
      for (const outcome of [dropped, ended]) {
        if (outcome.kind !== 'events') throw outcome.error;
        expectWellFormed(outcome.events);
        const last = outcome.events.at(-1);
        expect(last?.type === 'error' && [last.error.status, last.error.type]).toEqual([502, 'provider_unavailable']);
      }
    });

    it('honours the abort signal: an aborted stream ends with one 408 error event and lets go of the connection', async () => {
      const { fixture, half } = await withContent();
      const controller = new AbortController();
      const outcome = await replay(fixture, { pieces: [half], then: 'hold' }, controller.signal, (event) => {
        if (isContentEvent(event)) controller.abort();
      });
      if (outcome.kind !== 'events') throw outcome.error;
      expectWellFormed(outcome.events);
      const last = outcome.events.at(-1);
      expect(last?.type === 'error' && [last.error.status, last.error.type, last.error.retryable]).toEqual([408, 'timeout', true]);
      await upstream.closed();
    });

    it('rejects with a retryable typed error when nothing listens', async () => {
      const closed = await startLoopbackUpstream();
      await closed.close();
      const error = await subject.adapter.send({ ...call(true), endpoint: subject.endpoint(closed.url) }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 502, type: 'provider_unavailable', retryable: true });
      expect(faultOf(error as GatewayError).upstreamStatus).toBeUndefined();
    });
  });
}
