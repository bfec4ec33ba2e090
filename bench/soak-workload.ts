// The soak's workload (bench/soak.ts): Switchyard in local mode in front of
// the provider simulator in a process of its own, two providers on it: one
// steady, one that fails half its requests with a 503, so a model served
// by both fails over (the cheaper, flaky one is drawn first nine times in
// ten until its breaker opens, and again once it closes); and a slow one
// (a one-second stream) for the streams the client cancels.

/** The simulator's providers: what each does on every request. */
export function soakSimulatorCatalog(): unknown {
  const steady = { firstTokenMs: 5, tokensPerSecond: 0, outputTokens: 30 };
  return {
    providers: {
      'soak-steady': { name: 'Soak steady', kind: 'openai', simulator: steady },
      'soak-flaky': { name: 'Soak flaky', kind: 'openai', simulator: { ...steady, failure: { mode: 'status', status: 503 }, failureRate: 0.5 } },
      'soak-slow': { name: 'Soak slow', kind: 'openai', simulator: { firstTokenMs: 5, tokensPerSecond: 100, outputTokens: 100 } },
    },
    models: [],
  };
}

export const SOAK_MODEL = 'soak/model';
export const SOAK_FAILOVER_MODEL = 'soak/failover';
export const SOAK_SLOW_MODEL = 'soak/slow';

/** Switchyard's catalog: the simulator process's two providers, and the two models on them. */
export function soakCatalog(simulatorUrl: string): unknown {
  const endpoint = (provider: string, price: string): Record<string, unknown> => ({
    provider,
    upstreamModel: `${provider}-model`,
    pricing: { prompt: price, completion: price },
    contextLength: 128_000,
    maxCompletionTokens: 4_096,
    supportedParameters: ['max_tokens', 'temperature', 'stop', 'tools', 'tool_choice'],
  });
  return {
    providers: {
      'soak-steady': { name: 'Soak steady', kind: 'openai', baseUrl: `${simulatorUrl}/soak-steady` },
      'soak-flaky': { name: 'Soak flaky', kind: 'openai', baseUrl: `${simulatorUrl}/soak-flaky` },
      'soak-slow': { name: 'Soak slow', kind: 'openai', baseUrl: `${simulatorUrl}/soak-slow` },
    },
    models: [
      { id: SOAK_MODEL, name: 'Soak model', created: 1_763_000_000, endpoints: [endpoint('soak-steady', '0.5')] },
      { id: SOAK_SLOW_MODEL, name: 'Soak slow model', created: 1_763_000_000, endpoints: [endpoint('soak-slow', '0.5')] },
      { id: SOAK_FAILOVER_MODEL, name: 'Soak failover model', created: 1_763_000_000, endpoints: [endpoint('soak-flaky', '0.5'), endpoint('soak-steady', '1.5')] },
    ],
  };
}
