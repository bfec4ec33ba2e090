// OpenRouter's own TypeScript SDK and the AI SDK with OpenRouter's provider
// work against the gateway, changing only their base URL. Both validate what
// they receive (the SDK every chunk, the AI SDK the usage object).
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { OpenRouter } from '@openrouter/sdk';
import type { ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

describe('@openrouter/sdk', () => {
  const sdk = (): OpenRouter => new OpenRouter({ apiKey: gateway.keys.apiKey, serverURL: gateway.baseUrl, retryConfig: { strategy: 'none' } });

  it('gets a non-streamed reply', async () => {
    const result = (await sdk().chat.send({
      chatRequest: { model: 'test/one', messages: [{ role: 'user', content: 'Hello' }], stream: false },
    })) as ChatResult;
    expect(result.id).toMatch(/^gen-/);
    expect(result.model).toBe('test/one');
    const content = result.choices[0]?.message.content;
    expect(typeof content === 'string' ? content.split(' ') : []).toHaveLength(12);
    expect(result.usage?.completionTokens).toBe(12);
    expect(result.usage?.cost).toBeGreaterThan(0);
  });

  it('gets a streamed reply with usage in the last chunk', async () => {
    const stream = (await sdk().chat.send({
      chatRequest: { model: 'test/one', messages: [{ role: 'user', content: 'Hello' }], stream: true },
    })) as AsyncIterable<ChatStreamChunk>;
    let text = '';
    let cost: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage !== undefined && chunk.usage !== null) cost = chunk.usage.cost ?? undefined;
    }
    expect(text.trim().split(' ')).toHaveLength(12);
    expect(cost).toBeGreaterThan(0);
  });
});

describe('ai with @openrouter/ai-sdk-provider', () => {
  const provider = () => createOpenRouter({ apiKey: gateway.keys.apiKey, baseURL: gateway.baseUrl });

  it('generates text', async () => {
    const result = await generateText({ model: provider().chat('test/one'), prompt: 'Hello', maxRetries: 0 });
    expect(result.text.split(' ')).toHaveLength(12);
    expect(result.usage.outputTokens).toBe(12);
    expect(result.finishReason).toBe('stop');
  });

  it('streams text', async () => {
    const result = streamText({ model: provider().chat('test/one'), prompt: 'Hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text.split(' ')).toHaveLength(12);
    expect((await result.usage).outputTokens).toBe(12);
    expect(await result.finishReason).toBe('stop');
  });
});
