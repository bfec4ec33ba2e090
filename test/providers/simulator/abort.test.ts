// Abort counting over real HTTP: when a client goes away mid-reply, the
// simulator sees its request signal abort and counts it. Gateway tests rely
// on this to prove they closed their upstream connection.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../../cli/serve.ts';
import { createSimulator, type Sleep } from '../../../lib/providers/simulator/index.ts';
import { outcomes, testCatalog } from './support.ts';

const body = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'Count the wagons.' }] };

describe('simulator abort counting over HTTP', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('counts an abort when the openai client stops reading a stream and closes the connection', async () => {
    const tracker = outcomes();
    // 5 tokens a second: after the first token the next one is 200 ms away, so the reply is mid-stream.
    const simulator = createSimulator({ catalog: testCatalog({ firstTokenMs: 0, tokensPerSecond: 5, outputTokens: 50 }), onReplySettled: tracker.onReplySettled });
    server = await serve(simulator.handle);
    const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0 });
    const outcome = tracker.next('sim-openai');

    const stream = await client.chat.completions.create({ ...body, stream: true });
    let received = 0;
    for await (const _chunk of stream) {
      if (++received === 2) break;
    }

    expect(await outcome).toBe('aborted');
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 0, aborted: 1, failed: 0 });
  });

  it('counts an abort when a fetch is aborted while a JSON reply is being generated', async () => {
    const tracker = outcomes();
    let generationStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (generationStarted = resolve));
    // A sleep that only ends when the request is abandoned: the generation never finishes by itself.
    const sleep: Sleep = (_ms, signal) =>
      new Promise<void>((resolve) => {
        generationStarted();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    const simulator = createSimulator({ catalog: testCatalog({ firstTokenMs: 60_000 }), sleep, onReplySettled: tracker.onReplySettled });
    server = await serve(simulator.handle);
    const controller = new AbortController();
    const outcome = tracker.next('sim-openai');

    const reply = fetch(`${server.url}/sim-openai/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    await started;
    controller.abort();

    await expect(reply).rejects.toThrow();
    expect(await outcome).toBe('aborted');
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 0, aborted: 1, failed: 0 });
  });

  it('counts a stalled request as aborted once the client times out', async () => {
    const tracker = outcomes();
    const simulator = createSimulator({ catalog: testCatalog({ failure: { mode: 'stall' } }), onReplySettled: tracker.onReplySettled });
    server = await serve(simulator.handle);
    const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0, timeout: 50 });
    const outcome = tracker.next('sim-openai');

    await expect(client.chat.completions.create(body)).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(await outcome).toBe('aborted');
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 0, aborted: 1, failed: 0 });
  });

  it('counts a reply read to its end as completed, not aborted', async () => {
    const tracker = outcomes();
    const simulator = createSimulator({ catalog: testCatalog({ firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 4 }), onReplySettled: tracker.onReplySettled });
    server = await serve(simulator.handle);
    const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0 });
    const outcome = tracker.next('sim-openai');

    const stream = await client.chat.completions.create({ ...body, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';

    expect(text.split(' ')).toHaveLength(4);
    expect(await outcome).toBe('completed');
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 1, aborted: 0, failed: 0 });
  });
});
