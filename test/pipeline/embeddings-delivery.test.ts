// Embeddings run the pipeline's steps with a delivery of their own
// (lib/pipeline/deliver-embeddings.ts): an endpoint's success is recorded
// for routing once the reply is made, not when the vectors arrive, as chat
// records it (the embeddings copy of the attempt loop once recorded it
// before delivery). The real app over HTTP, dynalite, the real door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { embeddingsDoor } from '../../lib/doors/embeddings/door.ts';
import type { GatewayDeps } from '../../lib/pipeline/deps.ts';
import type { EmbeddingsDoor } from '../../lib/pipeline/door.ts';
import { runEmbeddings } from '../../lib/pipeline/run-embeddings.ts';
import { accountWithKey } from '../billing/support/ledger.ts';
import { startClockGateway, type ClockGateway } from '../billing/support/clock-gateway.ts';

const catalog = createCatalog({
  providers: { embedder: { name: 'Embedder', kind: 'openai', baseUrl: 'http://127.0.0.1:9/embedder' } },
  models: [
    {
      id: 'test/embed',
      name: 'Embed',
      created: 1767225600,
      endpoints: [
        {
          provider: 'embedder',
          upstreamModel: 'embed-1',
          pricing: { prompt: '1', completion: '0' },
          contextLength: 8192,
          maxCompletionTokens: 1,
          supportedParameters: [],
          embedding: { dimensions: 2 },
        },
      ],
    },
  ],
});

let gateway: ClockGateway;
let apiKey: string;
beforeAll(async () => {
  gateway = await startClockGateway();
  ({ apiKey } = await accountWithKey(gateway.table, 1_000_000, {}, gateway.clock.now()));
});
afterAll(async () => {
  await gateway.close();
});

/** The gateway's deps with this catalog, an embedding adapter that answers, and health and the door's reply body observed in order. */
function observed(replyBody: (built: () => string) => string): { deps: GatewayDeps; door: EmbeddingsDoor; order: string[] } {
  const order: string[] = [];
  const { deps: base } = gateway;
  const deps: GatewayDeps = {
    ...base,
    catalog,
    embeddingAdapters: { openai: { embed: async (call) => ({ vectors: call.inputs.map(() => [0.6, 0.8]), promptTokens: 3 }) } },
    health: {
      endpoint: (id, now) => base.health.endpoint(id, now),
      recordSuccess: (id) => order.push(`success ${id}`),
      recordFailure: (id) => order.push(`failure ${id}`),
    },
  };
  const door: EmbeddingsDoor = {
    ...embeddingsDoor,
    decode(body) {
      const decoded = embeddingsDoor.decode(body);
      return { ...decoded, replyBody: (parts) => replyBody(() => decoded.replyBody(parts)) };
    },
  };
  return { deps, door, order };
}

const request = () =>
  new Request('http://gateway.test/api/v1/embeddings', {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test/embed', input: ['one', 'two'] }),
  });

describe('the embeddings delivery', () => {
  it('records the endpoint’s success once the reply is made', async () => {
    const { deps, door, order } = observed((built) => {
      order.push('reply made');
      return built();
    });

    const reply = await runEmbeddings(door, request(), deps);

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body as string)).toMatchObject({ model: 'test/embed', provider: 'Embedder', data: [{ embedding: [0.6, 0.8] }, { embedding: [0.6, 0.8] }] });
    expect(order).toEqual(['reply made', `success ${catalog.endpoints[0]?.id}`]);
  });

  it('records no success when the reply could not be made', async () => {
    const { deps, door, order } = observed(() => {
      throw new Error('the reply could not be written');
    });

    const reply = await runEmbeddings(door, request(), deps);

    expect(reply.status).toBe(500);
    expect(order).toEqual([]);
  });
});
