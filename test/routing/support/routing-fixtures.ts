// A small hand-written catalog whose prices, limits and policies make each
// routing rule visible, plus helpers to build plan inputs.
import { chatRequest, type ChatRequest } from '../../../lib/api/chat-request.ts';
import { createCatalog, type Catalog } from '../../../lib/catalog/catalog.ts';
import { attemptPlan, createStickySessions, type AttemptPlan, type EndpointHealth, type HealthView, type PlanInput } from '../../../lib/routing/plan.ts';

const text = ['temperature', 'max_tokens', 'max_completion_tokens'];

export const routingCatalogDocument = {
  providers: {
    alpha: { name: 'Alpha AI', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', dataPolicy: { zdr: true } },
    beta: { name: 'Beta Cloud', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', dataPolicy: { retainsPrompts: true } },
    gamma: { name: 'Gamma', kind: 'anthropic', baseUrl: 'http://127.0.0.1:1', dataPolicy: { training: true } },
    deepinfra: { name: 'DeepInfra', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1' },
  },
  models: [
    {
      id: 'test/chat',
      name: 'Test Chat',
      created: 1_700_000_000,
      endpoints: [
        // Blended prices 1, 2 and 3 USD per million: the worked example of openrouter-api.md §3.1.
        {
          provider: 'alpha', upstreamModel: 'chat', pricing: { prompt: '0.25', completion: '0.75' },
          contextLength: 8000, maxCompletionTokens: 4000, quantization: 'bf16',
          supportedParameters: [...text, 'tools', 'tool_choice', 'response_format', 'seed'], inputModalities: ['text', 'image'],
        },
        {
          provider: 'beta', upstreamModel: 'chat', pricing: { prompt: '0.5', completion: '1.5' },
          contextLength: 32000, maxCompletionTokens: 8000, quantization: 'fp8',
          supportedParameters: [...text, 'tools', 'tool_choice', 'top_k'], inputModalities: ['text'],
        },
        {
          provider: 'gamma', upstreamModel: 'chat', pricing: { prompt: '1', completion: '2' },
          contextLength: 128000, maxCompletionTokens: 16000,
          supportedParameters: [...text, 'top_k', 'reasoning'], inputModalities: ['text', 'image'],
        },
      ],
    },
    {
      id: 'test/other',
      name: 'Test Other',
      created: 1_700_000_000,
      endpoints: [
        { provider: 'deepinfra', upstreamModel: 'other', pricing: { prompt: '0.1', completion: '0.1' }, contextLength: 8000, maxCompletionTokens: 4000, supportedParameters: text },
        { provider: 'deepinfra', tag: 'deepinfra/turbo', upstreamModel: 'other-turbo', pricing: { prompt: '0.2', completion: '0.2' }, contextLength: 8000, maxCompletionTokens: 4000, quantization: 'fp8', supportedParameters: text },
        { provider: 'deepinfra', tag: 'deepinfra/priority', upstreamModel: 'other', pricing: { prompt: '0.3', completion: '0.3' }, contextLength: 8000, maxCompletionTokens: 4000, supportedParameters: text },
        { provider: 'alpha', upstreamModel: 'other', pricing: { prompt: '1', completion: '1' }, contextLength: 8000, maxCompletionTokens: 4000, supportedParameters: text },
      ],
    },
    {
      id: 'test/chat:free',
      name: 'Test Chat (free)',
      created: 1_700_000_000,
      endpoints: [
        { provider: 'beta', upstreamModel: 'chat-free', pricing: { prompt: '0', completion: '0' }, contextLength: 8000, maxCompletionTokens: 1000, supportedParameters: text },
      ],
    },
    {
      id: 'test/plain',
      name: 'Test Plain (no tools, text only)',
      created: 1_700_000_000,
      endpoints: [
        { provider: 'gamma', upstreamModel: 'plain', pricing: { prompt: '1', completion: '1' }, contextLength: 8000, maxCompletionTokens: 1000, supportedParameters: text },
      ],
    },
  ],
};

export const routingCatalog = (): Catalog => createCatalog(routingCatalogDocument, { source: 'routing test catalog' });

export const healthy: EndpointHealth = { degraded: false, lastFailureAt: undefined, latencyMs: undefined, throughputTps: undefined };

/** A fixed health view: endpoints not listed are healthy and without stats. */
export function fixedHealth(states: Record<string, Partial<EndpointHealth>> = {}): HealthView {
  return { endpoint: (endpointId) => ({ ...healthy, ...states[endpointId] }) };
}

export const percentiles = (p50: number): { p50: number; p75: number; p90: number; p99: number } => ({
  p50,
  p75: p50 * 1.2,
  p90: p50 * 1.5,
  p99: p50 * 2,
});

export function request(fields: Record<string, unknown> = {}): ChatRequest {
  return chatRequest.parse({ model: 'test/chat', messages: [{ role: 'user', content: 'hi' }], ...fields });
}

export const NOW = 1_750_000_000_000;

export function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    request: request(),
    catalog: routingCatalog(),
    health: fixedHealth(),
    sticky: createStickySessions(),
    sessionKey: undefined,
    promptTokens: 100,
    now: NOW,
    // Always the first slice of the cumulative weights: the cheapest healthy endpoint.
    random: () => 0,
    ...overrides,
  };
}

export const attemptIds = (plan: AttemptPlan): string[] => plan.attempts.map((endpoint) => endpoint.id);

export function planIds(overrides: Partial<PlanInput> = {}): string[] {
  return attemptIds(attemptPlan(planInput(overrides)));
}

/** mulberry32: a tiny seedable PRNG, so statistical tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The GatewayError a thunk throws, for asserting on status and metadata. */
export function thrown(run: () => unknown): { status: number; type: string; message: string; metadata: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    return error as { status: number; type: string; message: string; metadata: Record<string, unknown> };
  }
  throw new Error('expected an error');
}
