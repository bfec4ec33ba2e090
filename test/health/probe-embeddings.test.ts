// The health probe's one-token chat request means nothing to an embedding
// model: its endpoints are skipped, with no upstream call and no record.
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { runProbe } from '../../lib/health/probe.ts';
import type { Adapters, ProviderAdapter } from '../../lib/providers/types.ts';
import type { HealthStore } from '../../lib/store/health.ts';

describe('runProbe and embedding endpoints', () => {
  it('skips them without calling the provider or writing a health record', async () => {
    const calls: string[] = [];
    const adapter: ProviderAdapter = {
      send: (call) => {
        calls.push(call.endpoint.id);
        return Promise.reject(new Error('a chat probe must not reach an embedding endpoint'));
      },
    };
    const adapters: Adapters = { openai: adapter, anthropic: adapter, gemini: adapter, bedrock: adapter };
    const writes: string[] = [];
    const store = {
      update: (endpointId: string) => {
        writes.push(endpointId);
        return Promise.resolve();
      },
    } as unknown as HealthStore;
    const catalog = createCatalog({
      providers: { acme: { name: 'Acme', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } },
      models: [
        {
          id: 'acme/embed',
          name: 'Acme Embed',
          created: 1,
          endpoints: [
            {
              provider: 'acme',
              upstreamModel: 'embed-1',
              pricing: { prompt: '0.02', completion: '0' },
              contextLength: 8192,
              maxCompletionTokens: 1,
              supportedParameters: [],
              embedding: { dimensions: 256 },
            },
          ],
        },
      ],
    });

    const summary = await runProbe({ catalog, adapters, credentials: { get: () => Promise.resolve(undefined), refresh: () => undefined }, fetch, store, now: Date.now });

    expect(summary).toMatchObject({ ok: 0, failed: 0, skipped: 1 });
    expect(summary.results[0]).toMatchObject({ endpoint: 'acme/embed@acme', outcome: 'skipped', reason: 'embedding endpoint', recorded: false });
    expect(calls).toEqual([]);
    expect(writes).toEqual([]);
  });
});
