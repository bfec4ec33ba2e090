// A catalog with one model served by a simulated provider of each wire
// (OpenAI, Anthropic, Gemini), a model that can only be answered after an
// OpenAI-wire 503 and an Anthropic-wire 529, and room for replayed upstreams.
// Prices are whole µ$ per token, so every cost is exact.
import type { WholePrices } from './providers-chunks.ts';

export type SimulatedKind = 'openai' | 'anthropic' | 'gemini';

export interface CatalogProvider {
  /** Key in the catalog, and the slug `provider.order` / `provider.only` name. */
  id: string;
  /** Display name, as the gateway reports it in `provider`. */
  name: string;
  prices: WholePrices;
}

export interface SimulatedWire extends CatalogProvider {
  kind: SimulatedKind;
}

export const simulatedWires: readonly SimulatedWire[] = [
  { kind: 'openai', id: 'wire-openai', name: 'Wire OpenAI', prices: { prompt: 2, completion: 4 } },
  { kind: 'anthropic', id: 'wire-anthropic', name: 'Wire Anthropic', prices: { prompt: 3, completion: 15 } },
  { kind: 'gemini', id: 'wire-gemini', name: 'Wire Gemini', prices: { prompt: 1, completion: 3 } },
];

/** Served by every simulated wire; `provider.only` picks one. */
export const ASSISTANT_MODEL = 'wires/assistant';
/** Served only after an OpenAI-wire 503 and an Anthropic-wire 529, by the Gemini wire. */
export const FALLBACK_MODEL = 'wires/fallback';

export const failingWires = {
  unavailable: { kind: 'openai', id: 'wire-openai-unavailable', name: 'Wire OpenAI Unavailable', prices: { prompt: 2, completion: 4 }, status: 503 },
  overloaded: { kind: 'anthropic', id: 'wire-anthropic-overloaded', name: 'Wire Anthropic Overloaded', prices: { prompt: 3, completion: 15 }, status: 529 },
} as const;

const SUPPORTED_PARAMETERS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'tools', 'tool_choice', 'reasoning', 'include_reasoning'];

/** A model endpoint on `provider` at its whole-µ$ prices. */
export function endpointOn(provider: CatalogProvider, upstreamModel = `${provider.id}-model`): Record<string, unknown> {
  return {
    provider: provider.id,
    upstreamModel,
    pricing: { prompt: String(provider.prices.prompt), completion: String(provider.prices.completion) },
    contextLength: 200_000,
    maxCompletionTokens: 8_192,
    supportedParameters: SUPPORTED_PARAMETERS,
    inputModalities: ['text', 'image'],
  };
}

export const model = (id: string, endpoints: Record<string, unknown>[]): Record<string, unknown> => ({ id, name: id, created: 1767225600, endpoints });

export interface WiresCatalogOptions {
  /**
   * Where the gateway sends a simulated provider's requests (a recording
   * proxy in front of the simulator); the simulator's own path when undefined.
   */
  baseUrlOf?: (providerId: string) => string;
  providers?: Record<string, Record<string, unknown>>;
  models?: Record<string, unknown>[];
}

export function wiresCatalog(options: WiresCatalogOptions = {}): unknown {
  const simulated = (wire: { kind: SimulatedKind; id: string; name: string }, failure?: Record<string, unknown>) => ({
    name: wire.name,
    kind: wire.kind,
    ...(options.baseUrlOf === undefined ? {} : { baseUrl: options.baseUrlOf(wire.id) }),
    simulator: { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12, ...(failure === undefined ? {} : { failure }) },
  });
  const { unavailable, overloaded } = failingWires;
  const gemini = simulatedWires.find((wire) => wire.kind === 'gemini') as SimulatedWire;
  return {
    providers: {
      ...Object.fromEntries(simulatedWires.map((wire) => [wire.id, simulated(wire)])),
      [unavailable.id]: simulated(unavailable, { mode: 'status', status: unavailable.status }),
      [overloaded.id]: simulated(overloaded, { mode: 'status', status: overloaded.status }),
      ...options.providers,
    },
    models: [
      model(ASSISTANT_MODEL, simulatedWires.map((wire) => endpointOn(wire))),
      model(FALLBACK_MODEL, [endpointOn(unavailable), endpointOn(overloaded), endpointOn(gemini)]),
      ...(options.models ?? []),
    ],
  };
}
