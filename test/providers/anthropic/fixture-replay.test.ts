// Replays every recorded Anthropic reply through the adapter over loopback
// HTTP: the repository's own fixtures, and the shared corpus of real
// recordings when it is present beside the repository. One test per file.
import { faultOf } from '../../../lib/providers/provider-error.ts';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest } from '../../../lib/api/chat-request.ts';
import { GatewayError } from '../../../lib/api/errors.ts';
import { createAdapter as createAnthropicAdapter } from '../../../lib/providers/anthropic/index.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { anthropicEndpoint } from './support/endpoint.ts';
import { expectWellFormed, summarize } from './support/event-summary.ts';
import { jsonResponse, sseResponse, startUpstream, type Reply, type Upstream } from './support/upstream-server.ts';
import * as own from './expectations/own-fixtures.ts';
import * as shared from './expectations/shared-recordings.ts';

const anthropicAdapter = createAnthropicAdapter();

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const corpora = [
  { name: 'own', directory: path.join(repoRoot, 'test/fixtures/anthropic'), expectations: own, required: true },
  { name: 'shared', directory: path.resolve(repoRoot, '../shared/fixtures/anthropic'), expectations: shared, required: false },
];

function fixtureFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => /^(stream-.*\.sse|response-.*\.json|error-\d{3}-.*\.json)$/.test(file))
    .sort();
}

let upstream: Upstream;
let reply: Reply = () => new Response(null, { status: 500 });

beforeAll(async () => {
  upstream = await startUpstream((request) => reply(request));
});
afterAll(async () => {
  await upstream.close();
});

async function send(stream: boolean): Promise<StreamEvent[]> {
  const request = chatRequest.parse({ model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hello' }], stream });
  const events = await anthropicAdapter.send({
    request,
    endpoint: anthropicEndpoint({ baseUrl: upstream.url }),
    stream,
    maxTokens: 1024,
    credential: 'sk-ant-test-key',
    signal: new AbortController().signal,
    fetch,
  });
  const collected: StreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

// A corpus that is absent (../shared beside a bare clone) registers no suite at all.
for (const corpus of corpora.filter((entry) => fixtureFiles(entry.directory).length > 0)) {
  describe(`Anthropic replay: ${corpus.name} fixtures`, () => {
    for (const file of fixtureFiles(corpus.directory)) {
      const bytes = readFileSync(path.join(corpus.directory, file));

      if (file.startsWith('error-')) {
        it(`${file} → a typed error`, async () => {
          const status = Number(file.slice('error-'.length, 'error-'.length + 3));
          reply = () => jsonResponse(bytes.toString('utf8'), status, { 'request-id': 'req_replay' });

          const failure = await send(true).then(
            () => undefined,
            (error: unknown) => error,
          );

          expect(failure).toBeInstanceOf(GatewayError);
          const error = failure as GatewayError;
          expect(error.provider).toBe('Anthropic');
          expect(faultOf(error).upstreamStatus).toBe(status);
          if (error.status >= 500) expect(error.publicMessage).toBe('Provider returned error (Anthropic)');
          const expectation = corpus.expectations.errors[file];
          if (corpus.required) expect(expectation, `an expectation for ${file}`).toBeDefined();
          if (expectation !== undefined) {
            expect({ status: error.status, type: error.type, retryable: error.retryable, providerCode: error.providerCode }).toEqual({
              status: expectation.status,
              type: expectation.type,
              retryable: expectation.retryable,
              providerCode: expectation.providerCode,
            });
            if (expectation.publicMessage !== undefined) expect(error.publicMessage).toBe(expectation.publicMessage);
          }
        });
        continue;
      }

      const streamed = file.startsWith('stream-');
      it(`${file} → events`, async () => {
        // 7-byte reads split lines, events and multi-byte characters.
        reply = () => (streamed ? sseResponse(bytes, 7) : jsonResponse(bytes.toString('utf8')));

        const events = await send(streamed);

        expectWellFormed(events);
        const expectation = corpus.expectations.replies[file];
        if (corpus.required) expect(expectation, `an expectation for ${file}`).toBeDefined();
        if (expectation !== undefined) expect(summarize(events)).toEqual(expectation);
      });
    }
  });
}
