// Structured output in local mode: a simulated model asked for a
// `json_schema` response format answers with an object valid against the
// schema, and for `json_object` with a JSON object, streamed and not, on the
// OpenAI, Anthropic and Gemini wires. The official `openai` client parses
// it (`chat.completions.parse` with a zod schema) as it would a real model's.
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { endpointOn, model, simulatedWires, wiresCatalog } from '../support/providers-catalog.ts';
import { startProvidersGateway } from '../support/providers-upstreams.ts';

const STRUCTURED_MODEL = 'wires/structured';

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  const endpoints = simulatedWires.map((wire) => {
    const endpoint = endpointOn(wire);
    return { ...endpoint, supportedParameters: [...(endpoint.supportedParameters as string[]), 'response_format', 'structured_outputs'] };
  });
  gateway = await startProvidersGateway(wiresCatalog({ models: [model(STRUCTURED_MODEL, endpoints)] }));
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const Invoice = z.object({
  number: z.string().min(10),
  issued: z.string().describe('ISO date'),
  total: z.number().min(5),
  paid: z.boolean(),
  currency: z.enum(['EUR', 'USD']),
  lines: z.array(z.object({ item: z.string(), quantity: z.number().int().positive() })).min(1),
  note: z.string().nullable(),
});

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Extract the invoice: INV-2026-0042, 3 widgets, 12.50 EUR, paid.' }];
const servedOnlyBy = (id: string) => ({ provider: { only: [id] } }) as object;

describe('the simulator honours response_format', () => {
  for (const wire of simulatedWires) {
    it(`${wire.kind} wire: json_schema, not streamed, parsed by the openai client against the schema`, async () => {
      const completion = await client.chat.completions.parse({
        model: STRUCTURED_MODEL,
        messages,
        response_format: zodResponseFormat(Invoice, 'invoice'),
        ...servedOnlyBy(wire.id),
      });
      const message = completion.choices[0]?.message;
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(message?.parsed).not.toBeNull();
      expect(Invoice.parse(JSON.parse(message?.content ?? ''))).toEqual(message?.parsed);
    });

    it(`${wire.kind} wire: json_schema, streamed, the joined content is valid against the schema`, async () => {
      const stream = await client.chat.completions.create({
        model: STRUCTURED_MODEL,
        messages,
        response_format: zodResponseFormat(Invoice, 'invoice'),
        stream: true,
        ...servedOnlyBy(wire.id),
      });
      let content = '';
      let deltas = 0;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta != null && delta !== '') {
          content += delta;
          deltas += 1;
        }
      }
      expect(deltas).toBeGreaterThan(1);
      expect(Invoice.safeParse(JSON.parse(content)).success).toBe(true);
    });

    it(`${wire.kind} wire: json_object gives a JSON object, streamed and not`, async () => {
      const whole = await client.chat.completions.create({ model: STRUCTURED_MODEL, messages, response_format: { type: 'json_object' }, ...servedOnlyBy(wire.id) });
      const parsed: unknown = JSON.parse(whole.choices[0]?.message.content ?? '');
      expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);

      const stream = await client.chat.completions.create({ model: STRUCTURED_MODEL, messages, response_format: { type: 'json_object' }, stream: true, ...servedOnlyBy(wire.id) });
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
      expect(JSON.parse(content)).toEqual(parsed);
    });
  }

  it('answers prose when no response format is asked for', async () => {
    const completion = await client.chat.completions.create({ model: STRUCTURED_MODEL, messages, ...servedOnlyBy(simulatedWires[0]?.id ?? '') });
    expect(() => JSON.parse(completion.choices[0]?.message.content ?? '') as unknown).toThrow();
  });
});
