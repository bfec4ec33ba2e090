// The default catalog's fallback drill: `simulator/flaky` always fails on
// Simulator Flaky (503) and is served by Simulator Steady. The generation
// record shows both attempts in OpenRouter's `provider_responses` shape,
// and the usage record marks the fallback.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway, usageRecords } from '../support/local-gateway.ts';

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  // No catalog document and no SWITCHYARD_CATALOG in the (empty) env: the shipped default catalog.
  gateway = await startTestGateway({ catalogDocument: undefined });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

// The flaky endpoint is the cheaper one, so the price-weighted draw usually, not always, tries it first.
const flakyFirst = { provider: { order: ['simulator-flaky', 'simulator-steady'] } };

async function generation(id: string): Promise<{ status: number; body: { data: Record<string, unknown> } }> {
  await gateway.idle();
  const response = await fetch(`${gateway.baseUrl}/generation?id=${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${gateway.keys.apiKey}` },
  });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown> } };
}

describe('simulator/flaky in the default catalog', () => {
  it.each([true, false])('is answered by Simulator Steady after a 503 from Simulator Flaky (stream: %s)', async (stream) => {
    const flakyBefore = gateway.simulator.stats('simulator-flaky');
    const request = { model: 'simulator/flaky', messages: [{ role: 'user', content: 'Hello' }], stream, ...flakyFirst };
    let id: string;
    if (stream) {
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of await client.chat.completions.create(request as OpenAI.ChatCompletionCreateParamsStreaming)) chunks.push(chunk);
      expect(new Set(chunks.map((chunk) => (chunk as unknown as { provider: string }).provider))).toEqual(new Set(['Simulator Steady']));
      expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason).toBe('stop');
      id = chunks[0]?.id ?? '';
    } else {
      const completion = await client.chat.completions.create(request as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect((completion as unknown as { provider: string }).provider).toBe('Simulator Steady');
      expect(completion.model).toBe('simulator/flaky');
      id = completion.id;
    }

    const flakyAfter = gateway.simulator.stats('simulator-flaky');
    expect(flakyAfter.requests).toBe(flakyBefore.requests + 1);
    expect(flakyAfter.failed).toBe(flakyBefore.failed + 1);

    const { status, body } = await generation(id);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ id, model: 'simulator/flaky', provider_name: 'Simulator Steady', streamed: stream, cancelled: false, finish_reason: 'stop' });
    const responses = body.data.provider_responses as Record<string, unknown>[];
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatchObject({ provider_name: 'Simulator Flaky', status: 503, is_byok: false, model_permaslug: 'simulator/flaky' });
    expect(responses[1]).toMatchObject({ provider_name: 'Simulator Steady', status: 200, is_byok: false, model_permaslug: 'simulator/flaky' });
    for (const attempt of responses) {
      expect(attempt).toHaveProperty('id');
      expect(typeof attempt.latency).toBe('number');
      expect(attempt.endpoint_id).toEqual(expect.any(String));
    }
    expect(responses[0]?.endpoint_id).not.toBe(responses[1]?.endpoint_id);

    const [record] = (await usageRecords(gateway)).filter((candidate) => candidate.id === id);
    expect(record).toMatchObject({ provider: 'Simulator Steady', fallback: true, status: 200, model: 'simulator/flaky' });
    expect(record?.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.error_code])).toEqual([
      ['Simulator Flaky', 503, 'provider_overloaded'],
      ['Simulator Steady', 200, null],
    ]);
  });

  it('answers 404 for a generation id it never issued', async () => {
    const { status } = await generation('gen-0-doesnotexist0000000');
    expect(status).toBe(404);
  });
});
