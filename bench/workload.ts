// The one workload every target serves: an OpenAI chat completion against
// the mock upstream (processes/mock-upstream-process.ts), which answers after
// `firstTokenMs` with tokens as fast as it can send them (one token per SSE
// chunk), so every millisecond beyond the direct time is the path in between.

/** How the mock provider behaves. One provider, one model: `max_tokens` picks 50 or 1000 chunks. */
export const SIMULATED_PROVIDER = {
  id: 'bench',
  upstreamModel: 'bench-model',
  firstTokenMs: 20,
  tokensPerSecond: 0,
  outputTokens: 1000,
} as const;

/** Answers at once with a short reply: the cold-start probe's upstream, so the figure is the gateway's own. */
export const INSTANT_PROVIDER = { id: 'bench-instant', upstreamModel: 'bench-instant-model', outputTokens: 16 } as const;

export const SWITCHYARD_MODEL = 'bench/model';
export const SWITCHYARD_INSTANT_MODEL = 'bench/instant';

export type ModeName = 'json' | 'stream-50' | 'stream-1000';

export interface Mode {
  name: ModeName;
  stream: boolean;
  /** Output tokens asked for; the upstream sends one chunk per token. */
  maxTokens: number;
  label: string;
}

export const MODES: readonly Mode[] = [
  { name: 'json', stream: false, maxTokens: 50, label: 'non-streaming (JSON, 50 tokens)' },
  { name: 'stream-50', stream: true, maxTokens: 50, label: 'streaming, 50 chunks' },
  { name: 'stream-1000', stream: true, maxTokens: 1000, label: 'streaming, 1000 chunks' },
];

export const PROMPT = 'Summarise the timetable for the freight trains that pass the junction tonight.';

export function requestBody(model: string, mode: Pick<Mode, 'stream' | 'maxTokens'>): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: mode.maxTokens,
    stream: mode.stream,
    // The gateways send usage in the last chunk anyway; asking the upstream
    // directly for it too keeps the bytes on every path the same.
    ...(mode.stream ? { stream_options: { include_usage: true } } : {}),
  });
}

const BENCH_PRICING = { prompt: '0.15', completion: '0.6' };

/** Switchyard's catalog: one model on the mock upstream started by the harness (and one on its instant provider). */
export function switchyardCatalog(upstreamUrl: string): unknown {
  const endpoint = (provider: string, upstreamModel: string): Record<string, unknown> => ({
    provider,
    upstreamModel,
    pricing: BENCH_PRICING,
    contextLength: 128_000,
    maxCompletionTokens: 16_384,
    supportedParameters: ['max_tokens', 'temperature', 'stop'],
  });
  return {
    providers: {
      [SIMULATED_PROVIDER.id]: { name: 'Bench upstream', kind: 'openai', baseUrl: `${upstreamUrl}/${SIMULATED_PROVIDER.id}` },
      [INSTANT_PROVIDER.id]: { name: 'Bench upstream (instant)', kind: 'openai', baseUrl: `${upstreamUrl}/${INSTANT_PROVIDER.id}` },
    },
    models: [
      { id: SWITCHYARD_MODEL, name: 'Bench model', created: 1_763_000_000, endpoints: [endpoint(SIMULATED_PROVIDER.id, SIMULATED_PROVIDER.upstreamModel)] },
      {
        id: SWITCHYARD_INSTANT_MODEL,
        name: 'Bench model (instant)',
        created: 1_763_000_000,
        endpoints: [endpoint(INSTANT_PROVIDER.id, INSTANT_PROVIDER.upstreamModel)],
      },
    ],
  };
}

/** The wire kinds the upstream-shape pass compares (the simulator speaks these; Bedrock's binary stream it does not). */
export const UPSTREAM_SHAPE_KINDS = ['openai', 'anthropic', 'gemini'] as const;
export type UpstreamShapeKind = (typeof UPSTREAM_SHAPE_KINDS)[number];
export const upstreamShapeModel = (kind: UpstreamShapeKind): string => `bench/${kind}-wire`;

/** The simulator's providers for the upstream-shape pass: one per wire kind, as the grid's upstream behaves. */
export function upstreamShapeSimulatorCatalog(): unknown {
  const behaviour = { firstTokenMs: SIMULATED_PROVIDER.firstTokenMs, tokensPerSecond: 0, outputTokens: 50 };
  return {
    providers: Object.fromEntries(UPSTREAM_SHAPE_KINDS.map((kind) => [`wire-${kind}`, { name: `Simulator (${kind} wire)`, kind, simulator: behaviour }])),
    models: [],
  };
}

/** Switchyard's catalog for the upstream-shape pass: a model per wire kind on the simulator process. */
export function upstreamShapeCatalog(simulatorUrl: string): unknown {
  return {
    providers: Object.fromEntries(UPSTREAM_SHAPE_KINDS.map((kind) => [`wire-${kind}`, { name: `Simulator (${kind} wire)`, kind, baseUrl: `${simulatorUrl}/wire-${kind}` }])),
    models: UPSTREAM_SHAPE_KINDS.map((kind) => ({
      id: upstreamShapeModel(kind),
      name: `Bench model (${kind} wire)`,
      created: 1_763_000_000,
      endpoints: [
        {
          provider: `wire-${kind}`,
          upstreamModel: `${kind}-bench-model`,
          pricing: BENCH_PRICING,
          contextLength: 128_000,
          maxCompletionTokens: 16_384,
          supportedParameters: ['max_tokens', 'temperature', 'stop'],
        },
      ],
    })),
  };
}

export type TargetName = 'direct' | 'null-proxy' | 'switchyard' | 'portkey';

export const TARGET_LETTERS: Readonly<Record<TargetName, string>> = { direct: 'D', 'null-proxy': 'N', switchyard: 'S', portkey: 'P' };

/** Where the client sends a request, and how: each target reaches the same mock provider. */
export interface Target {
  name: TargetName;
  url: URL;
  model: string;
  headers: Record<string, string>;
}
