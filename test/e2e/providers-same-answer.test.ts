// One simple prompt, served in turn by each simulated wire (OpenAI,
// Anthropic, Gemini): the client gets the same text and chunks of the same
// structure, streamed or as one JSON body. Only what names the generation
// and the provider differs.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { ASSISTANT_MODEL, simulatedWires, wiresCatalog, type SimulatedWire } from '../support/providers-catalog.ts';
import { chunkShape, collectChunks, expectedCost, finishReasons, providerOf, textOf, usageOf } from '../support/providers-chunks.ts';
import { startProvidersGateway } from '../support/providers-upstreams.ts';

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startProvidersGateway(wiresCatalog());
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Say something nice about switchyards' }];
const servedOnlyBy = (wire: SimulatedWire) => ({ provider: { only: [wire.id] } }) as object;

/** A chunk with the fields that name this generation and its provider blanked. */
function anonymous(chunk: unknown): unknown {
  return { ...(chunk as object), id: 'gen', created: 0, provider: 'provider' };
}

describe('the same prompt over the OpenAI, Anthropic and Gemini wires', () => {
  it('streams the same text in chunks of the same structure', async () => {
    const replies = [];
    for (const wire of simulatedWires) {
      const chunks = await collectChunks(await client.chat.completions.create({ model: ASSISTANT_MODEL, messages, stream: true, ...servedOnlyBy(wire) }));
      replies.push({ wire, chunks });
    }

    const [reference, ...others] = replies as [(typeof replies)[number], ...typeof replies];
    expect(textOf(reference.chunks).split(' ')).toHaveLength(12);
    expect(finishReasons(reference.chunks)).toEqual(['stop']);
    for (const { wire, chunks } of replies) {
      expect(new Set(chunks.map(providerOf))).toEqual(new Set([wire.name]));
      const usage = usageOf(chunks.at(-1) ?? {});
      expect(usage.cost).toBeCloseTo(expectedCost(usage, wire.prices), 12);
    }
    for (const { wire, chunks } of others) {
      expect({ wire: wire.kind, text: textOf(chunks) }).toEqual({ wire: wire.kind, text: textOf(reference.chunks) });
      expect(chunks.map(chunkShape)).toEqual(reference.chunks.map(chunkShape));
      // Beyond the structure, every chunk says the same thing, except the native finish reason and the price.
      const comparable = (chunk: OpenAI.ChatCompletionChunk) => {
        const { usage: _usage, ...rest } = anonymous(chunk) as OpenAI.ChatCompletionChunk;
        return { ...rest, choices: rest.choices.map((choice) => ({ ...choice, native_finish_reason: 'native' })) };
      };
      expect(chunks.map(comparable)).toEqual(reference.chunks.map(comparable));
      const { prompt_tokens, completion_tokens } = usageOf(reference.chunks.at(-1) ?? {});
      expect(usageOf(chunks.at(-1) ?? {})).toMatchObject({ prompt_tokens, completion_tokens });
    }
  });

  it('answers with the same text in a body of the same structure', async () => {
    const replies = [];
    for (const wire of simulatedWires) {
      replies.push({ wire, completion: await client.chat.completions.create({ model: ASSISTANT_MODEL, messages, ...servedOnlyBy(wire) }) });
    }

    // `system_fingerprint` is the upstream's own, passed through: OpenAI-wire hosts send one, the others have none.
    const structure = (completion: OpenAI.ChatCompletion) => chunkShape({ ...completion, system_fingerprint: null });
    const [reference, ...others] = replies as [(typeof replies)[number], ...typeof replies];
    expect(reference.completion.choices[0]?.message.content?.split(' ')).toHaveLength(12);
    for (const { wire, completion } of replies) {
      expect(providerOf(completion)).toBe(wire.name);
      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      const usage = usageOf(completion);
      expect(usage.cost).toBeCloseTo(expectedCost(usage, wire.prices), 12);
    }
    for (const { wire, completion } of others) {
      expect({ wire: wire.kind, content: completion.choices[0]?.message }).toEqual({ wire: wire.kind, content: reference.completion.choices[0]?.message });
      expect(structure(completion)).toEqual(structure(reference.completion));
    }
  });
});
