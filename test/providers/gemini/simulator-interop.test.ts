// The adapter against the provider simulator's Gemini wire, over loopback
// HTTP: the two were built apart from the same wire description.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../../cli/serve.ts';
import { createCatalog, type Endpoint } from '../../../lib/catalog/catalog.ts';
import { createAdapter as createGeminiAdapter } from '../../../lib/providers/gemini/index.ts';
import { createSimulator } from '../../../lib/providers/simulator/index.ts';
import { collect, expectWellFormed, geminiCall, summarize } from './support.ts';

const geminiAdapter = createGeminiAdapter();

const catalogDocument = (headers?: Record<string, string>) => ({
  providers: {
    'sim-gemini': {
      name: 'Simulator (Gemini wire)',
      kind: 'gemini',
      simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 5 },
      headers,
    },
  },
  models: [
    {
      id: 'simulated/gemini',
      name: 'Simulated Gemini',
      created: 0,
      endpoints: [
        {
          provider: 'sim-gemini',
          upstreamModel: 'gemini-sim',
          pricing: { prompt: '1', completion: '1' },
          contextLength: 32_000,
          maxCompletionTokens: 4096,
          supportedParameters: ['max_tokens', 'tools', 'tool_choice', 'temperature'],
        },
      ],
    },
  ],
});

let server: RunningServer;
beforeAll(async () => {
  const simulator = createSimulator({ catalog: createCatalog(catalogDocument()), sleep: async () => undefined });
  server = await serve((request) => simulator.handle(request));
});
afterAll(async () => {
  await server.close();
});

function endpoint(headers?: Record<string, string>): Endpoint {
  return createCatalog(catalogDocument(headers), { simulatorUrl: server.url }).endpoints[0] as Endpoint;
}

const question = { messages: [{ role: 'system', content: 'Answer shortly.' }, { role: 'user', content: 'Where is platform nine?' }] };

describe('Gemini adapter against the simulator', () => {
  it.each([true, false])('reads a text reply (stream: %s)', async (stream) => {
    const events = await collect(await geminiAdapter.send(geminiCall(question, { endpoint: endpoint(), stream })));
    expectWellFormed(events);
    const summary = summarize(events);
    expect(summary.text.trim().split(/\s+/)).toHaveLength(5);
    expect(summary.finish).toMatchObject({ reason: 'stop', nativeReason: 'STOP', usage: { completionTokens: 5 } });
  });

  it('reads a forced tool call', async () => {
    const request = {
      ...question,
      tools: [
        {
          type: 'function',
          function: {
            name: 'find_platform',
            parameters: { type: 'object', properties: { number: { type: 'integer' } }, required: ['number'], additionalProperties: false },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'find_platform' } },
    };
    const events = await collect(await geminiAdapter.send(geminiCall(request, { endpoint: endpoint() })));
    expectWellFormed(events);
    const summary = summarize(events);
    expect(summary.toolCalls.map((call) => call.name)).toEqual(['find_platform']);
    expect(Object.keys(JSON.parse(summary.toolCalls[0]?.arguments ?? '{}') as object)).toEqual(['number']);
    expect(summary.finish?.reason).toBe('tool_calls');
  });

  it('rejects with a retryable error when the provider answers 503', async () => {
    const failing = endpoint({ 'x-simulator-failure': '{"mode":"status","status":503}' });
    await expect(geminiAdapter.send(geminiCall(question, { endpoint: failing }))).rejects.toMatchObject({
      status: 503,
      retryable: true,
      provider: 'Simulator (Gemini wire)',
    });
  });

  it('ends with an error event when the provider drops the stream', async () => {
    const dropping = endpoint({ 'x-simulator-failure': '{"mode":"drop","afterTokens":2}' });
    const events = await collect(await geminiAdapter.send(geminiCall(question, { endpoint: dropping })));
    expectWellFormed(events);
    expect(summarize(events).error).toEqual({ status: 502, type: 'provider_unavailable', retryable: true });
  });
});
