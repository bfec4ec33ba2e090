// Fallback across wires: an OpenAI-wire endpoint answers 503, an
// Anthropic-wire one 529, a Gemini-wire one serves. The client gets one
// 200 stream in exactly the chunk format a plain OpenAI-wire reply has,
// naming the Gemini-wire provider, and the generation record lists the
// three attempts.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { usageRecords } from '../support/local-gateway.ts';
import { ASSISTANT_MODEL, failingWires, FALLBACK_MODEL, simulatedWires, wiresCatalog, type SimulatedWire } from '../support/providers-catalog.ts';
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

const wireOf = (kind: SimulatedWire['kind']): SimulatedWire => simulatedWires.find((wire) => wire.kind === kind) as SimulatedWire;
const openaiWire = wireOf('openai');
const geminiWire = wireOf('gemini');
const { unavailable, overloaded } = failingWires;
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about fallbacks' }];
const order = { provider: { order: [unavailable.id, overloaded.id, geminiWire.id] } } as object;

interface GenerationRecord {
  id: string;
  model: string;
  provider_name: string;
  streamed: boolean;
  provider_responses: { provider_name: string; status: number; endpoint_id: string; error_code: string | null }[];
}

async function generation(id: string): Promise<GenerationRecord> {
  await gateway.idle();
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${gateway.keys.apiKey}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: GenerationRecord }).data;
}

function expectThreeAttempts(record: GenerationRecord): void {
  expect(record.provider_responses.map((attempt) => [attempt.provider_name, attempt.status])).toEqual([
    [unavailable.name, unavailable.status],
    [overloaded.name, overloaded.status],
    [geminiWire.name, 200],
  ]);
  expect(new Set(record.provider_responses.map((attempt) => attempt.endpoint_id)).size).toBe(3);
}

describe('a request that falls over from the OpenAI wire to the Anthropic wire to the Gemini wire', () => {
  it('streams one 200 reply in the chunk format of a plain OpenAI-wire reply, from the Gemini-wire provider', async () => {
    const plain = await collectChunks(
      await client.chat.completions.create({ model: ASSISTANT_MODEL, messages, stream: true, ...({ provider: { only: [openaiWire.id] } } as object) }),
    );
    const failedBefore = [gateway.simulator.stats(unavailable.id).failed, gateway.simulator.stats(overloaded.id).failed];

    const { data: stream, response } = await client.chat.completions.create({ model: FALLBACK_MODEL, messages, stream: true, ...order }).withResponse();
    const chunks = await collectChunks(stream);

    expect(response.status).toBe(200);
    expect([gateway.simulator.stats(unavailable.id).failed, gateway.simulator.stats(overloaded.id).failed]).toEqual(failedBefore.map((count) => count + 1));
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([response.headers.get('x-generation-id')]));
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: FALLBACK_MODEL });
      expect(providerOf(chunk)).toBe(geminiWire.name);
      expect(chunk).not.toHaveProperty('error');
    }
    expect(chunks.map(chunkShape)).toEqual(plain.map(chunkShape));
    expect(textOf(chunks)).toBe(textOf(plain));
    expect(finishReasons(chunks)).toEqual(['stop']);
    const usage = usageOf(chunks.at(-1) ?? {});
    expect(usage.cost).toBeCloseTo(expectedCost(usage, geminiWire.prices), 12);

    const record = await generation(chunks[0]?.id ?? '');
    expect(record).toMatchObject({ model: FALLBACK_MODEL, provider_name: geminiWire.name, streamed: true });
    expectThreeAttempts(record);
    const [usageRecord] = (await usageRecords(gateway)).filter((candidate) => candidate.id === record.id);
    expect(usageRecord).toMatchObject({ provider: geminiWire.name, status: 200, fallback: true });
    expect(usageRecord?.attempts.map((attempt) => attempt.error_code)).toEqual(['provider_overloaded', 'provider_overloaded', null]);
  });

  it('answers one JSON body from the Gemini-wire provider, with the same three attempts', async () => {
    const plain = await client.chat.completions.create({ model: ASSISTANT_MODEL, messages, ...({ provider: { only: [openaiWire.id] } } as object) });

    const completion = await client.chat.completions.create({ model: FALLBACK_MODEL, messages, ...order });

    expect(providerOf(completion)).toBe(geminiWire.name);
    expect(completion.model).toBe(FALLBACK_MODEL);
    expect(completion.choices[0]?.message).toEqual(plain.choices[0]?.message);
    // `system_fingerprint` is the upstream's own: the OpenAI wire sends one, Gemini has none.
    expect(chunkShape({ ...completion, system_fingerprint: null })).toEqual(chunkShape({ ...plain, system_fingerprint: null }));
    const usage = usageOf(completion);
    expect(usage.cost).toBeCloseTo(expectedCost(usage, geminiWire.prices), 12);
    const record = await generation(completion.id);
    expect(record).toMatchObject({ provider_name: geminiWire.name, streamed: false });
    expectThreeAttempts(record);
  });
});
