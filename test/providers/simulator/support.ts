// Shared arrangements for the simulator tests: a catalog with one simulated
// provider per wire, an instant recording sleep, and SSE readers.
import { createCatalog, type Catalog } from '../../../lib/catalog/catalog.ts';
import type { SimulatorBehaviour } from '../../../lib/catalog/schema.ts';
import { decodeSse, type SseMessage } from '../../../lib/streaming/sse-decode.ts';
import type { Simulator } from '../../../lib/providers/simulator/index.ts';

export const instant: SimulatorBehaviour = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 5 };

/** Providers `sim-openai`, `sim-anthropic`, `sim-gemini` (and `real-openai`, not simulated). */
export function testCatalog(behaviour: Partial<SimulatorBehaviour> = {}): Catalog {
  const simulator = { ...instant, ...behaviour };
  return createCatalog({
    providers: {
      'sim-openai': { name: 'Sim OpenAI', kind: 'openai', simulator },
      'sim-anthropic': { name: 'Sim Anthropic', kind: 'anthropic', simulator },
      'sim-gemini': { name: 'Sim Gemini', kind: 'gemini', simulator },
      'real-openai': { name: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1' },
    },
    models: [],
  });
}

/** A sleep that returns at once and remembers what it was asked to wait. */
export function recordingSleep(): { sleep: (ms: number, signal: AbortSignal) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

export function post(
  simulator: Simulator,
  path: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return simulator.handle(
    new Request(`http://simulator.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify(body),
      signal: init.signal,
    }),
  );
}

export async function sseMessages(response: Response): Promise<SseMessage[]> {
  if (response.body === null) throw new Error('response has no body');
  const messages: SseMessage[] = [];
  for await (const message of decodeSse(response.body)) messages.push(message);
  return messages;
}

/** Resolves with the next reply outcome the simulator reports for `providerId`. */
export function outcomes(): {
  onReplySettled: (report: { providerId: string; outcome: string }) => void;
  next: (providerId: string) => Promise<string>;
} {
  const waiting: { providerId: string; resolve: (outcome: string) => void }[] = [];
  return {
    onReplySettled: (report) => {
      const index = waiting.findIndex((entry) => entry.providerId === report.providerId);
      if (index >= 0) waiting.splice(index, 1)[0]?.resolve(report.outcome);
    },
    next: (providerId) => new Promise((resolve) => waiting.push({ providerId, resolve })),
  };
}

/** The value at `path` inside parsed JSON, or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function parseJson(text: string): unknown {
  return JSON.parse(text);
}
