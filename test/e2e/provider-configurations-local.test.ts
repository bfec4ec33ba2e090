// Provider kinds that are configurations of the OpenAI wire, in local mode:
// simulated providers configured as an Azure OpenAI resource (its deployment
// route and its v1 route) and as OpenRouter (its request fields) serve the
// official `openai` client through the gateway, streamed and not, billed at
// the catalog's price.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { endpointOn, model } from '../support/providers-catalog.ts';
import { startProvidersGateway } from '../support/providers-upstreams.ts';

const simulator = { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 12 };
const deployments = { id: 'azure-deployments', name: 'Azure OpenAI', prices: { prompt: 2, completion: 8 } };
const v1 = { id: 'azure-v1', name: 'Azure OpenAI v1', prices: { prompt: 2, completion: 8 } };
const openRouter = { id: 'openrouter-sim', name: 'OpenRouter', prices: { prompt: 2, completion: 8 } };

let gateway: LocalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startProvidersGateway({
    providers: {
      [deployments.id]: {
        name: deployments.name,
        kind: 'openai',
        baseUrl: `\${SIMULATOR_URL}/${deployments.id}/openai`,
        azure: { route: 'deployments', apiVersion: '2024-10-21' },
        simulator,
      },
      [v1.id]: { name: v1.name, kind: 'openai', baseUrl: `\${SIMULATOR_URL}/${v1.id}/openai/v1`, azure: { route: 'v1' }, simulator },
      [openRouter.id]: { name: openRouter.name, kind: 'openai', requestFields: ['reasoning', 'transforms', 'session_id'], healthProbe: false, simulator },
    },
    models: [model('configured/gpt-4o', [endpointOn(deployments, 'gpt-4o-prod'), endpointOn(v1, 'gpt-4o'), endpointOn(openRouter, 'openai/gpt-4o')])],
  });
  client = new OpenAI({ baseURL: gateway.baseUrl, apiKey: gateway.keys.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Say something about switchyards' }];

describe('OpenAI-wire configurations in local mode', () => {
  for (const provider of [deployments, v1, openRouter]) {
    it(`${provider.id}: answers streamed and not, with usage and cost`, async () => {
      const only = { provider: { only: [provider.id] } } as object;
      // OpenRouter's own fields are passed to the OpenRouter configuration and dropped for the others.
      const extras = { transforms: ['middle-out'], session_id: 'session-7' } as object;
      const completion = await client.chat.completions.create({ model: 'configured/gpt-4o', messages, ...only, ...extras });
      expect((completion as unknown as { provider: string }).provider).toBe(provider.name);
      expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(12);
      const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
      expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 2 + usage.completion_tokens * 8) / 1_000_000, 12);

      let text = '';
      for await (const chunk of await client.chat.completions.create({ model: 'configured/gpt-4o', messages, stream: true, ...only })) {
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      expect(text).toBe(completion.choices[0]?.message.content);
    });
  }
});
