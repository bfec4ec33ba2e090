// Pacing: the first token after firstTokenMs, then one token per
// 1/tokensPerSecond; checked with an injected sleep and with fake timers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimulator, SIMULATOR_HEADERS } from '../../../lib/providers/simulator/index.ts';
import { frameDelays, replyDuration } from '../../../lib/providers/simulator/paced-stream.ts';
import { post, recordingSleep, testCatalog } from './support.ts';

const paced = { firstTokenMs: 100, tokensPerSecond: 10, outputTokens: 3 };
const openai = { path: '/sim-openai/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'pace me' }] } };

describe('frame schedule', () => {
  it('sends the preamble with the first token, then one token per interval, closing frames at once', () => {
    const frames = [
      { text: 'start', tokens: 0 },
      { text: 'a', tokens: 1 },
      { text: 'b', tokens: 1 },
      { text: 'cd', tokens: 2 },
      { text: 'finish', tokens: 0 },
    ];
    expect(frameDelays(frames, { firstTokenMs: 100, tokensPerSecond: 10 })).toEqual([100, 0, 100, 200, 0]);
    expect(frameDelays(frames, { firstTokenMs: 30, tokensPerSecond: 0 })).toEqual([30, 0, 0, 0, 0]);
    expect(replyDuration(5, { firstTokenMs: 100, tokensPerSecond: 10 })).toBe(500);
    expect(replyDuration(5, { firstTokenMs: 100, tokensPerSecond: 0 })).toBe(100);
  });
});

describe('simulator pacing with an injected sleep', () => {
  it('paces every wire’s stream token by token', async () => {
    const cases = [
      { path: openai.path, body: { ...openai.body, stream: true, stream_options: { include_usage: true } } },
      { path: '/sim-anthropic/v1/messages', body: { model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'pace me' }] } },
      { path: '/sim-gemini/v1beta/models/g:streamGenerateContent?alt=sse', body: { contents: [{ parts: [{ text: 'pace me' }] }] } },
    ];
    for (const { path, body } of cases) {
      const { sleep, waits } = recordingSleep();
      const response = await post(createSimulator({ catalog: testCatalog(paced), sleep }), path, body);
      await response.text();
      expect(waits).toEqual([100, 100, 100]);
    }
  });

  it('delivers a JSON reply after the whole generation time', async () => {
    const { sleep, waits } = recordingSleep();
    const simulator = createSimulator({ catalog: testCatalog({ ...paced, outputTokens: 5 }), sleep });
    await (await post(simulator, openai.path, openai.body)).text();
    expect(waits).toEqual([500]);
  });

  it('counts a whole Gemini function call chunk as its tokens', async () => {
    const { sleep, waits } = recordingSleep();
    const simulator = createSimulator({ catalog: testCatalog(paced), sleep });
    const tools = [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } }] }];
    // '{"a":"example"}' is 15 characters: 4 fragments, so the chunk is due at 100 + 3 × 100.
    await (await post(simulator, '/sim-gemini/v1beta/models/g:streamGenerateContent?alt=sse', { contents: [{ parts: [{ text: 'x' }] }], tools })).text();
    expect(waits).toEqual([400]);
  });

  it('waits only for the first token when tokensPerSecond is 0, and takes overrides from headers', async () => {
    const { sleep, waits } = recordingSleep();
    const simulator = createSimulator({ catalog: testCatalog({ ...paced, tokensPerSecond: 0 }), sleep });
    await (await post(simulator, openai.path, { ...openai.body, stream: true })).text();
    await (
      await post(simulator, openai.path, { ...openai.body, stream: true }, {
        headers: { [SIMULATOR_HEADERS.firstTokenMs]: '7', [SIMULATOR_HEADERS.tokensPerSecond]: '1000' },
      })
    ).text();
    expect(waits).toEqual([100, 7, 1, 1]);
  });

  it('cuts a drop when the next token was due', async () => {
    const { sleep, waits } = recordingSleep();
    const simulator = createSimulator({ catalog: testCatalog({ ...paced, failure: { mode: 'drop', afterTokens: 2 } }), sleep });
    const response = await post(simulator, openai.path, { ...openai.body, stream: true });
    await expect(response.text()).rejects.toThrow();
    expect(waits).toEqual([100, 100, 100]);
  });
});

describe('simulator pacing with the real sleep under fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds each frame until its time', async () => {
    vi.useFakeTimers();
    const simulator = createSimulator({ catalog: testCatalog(paced) });
    const response = await post(simulator, openai.path, { ...openai.body, stream: true });
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const decoder = new TextDecoder();
    const readFrame = async (): Promise<string> => {
      const { value } = await reader.read();
      return decoder.decode(value);
    };
    let opening: string | undefined;
    const first = readFrame().then((text) => (opening = text));

    await vi.advanceTimersByTimeAsync(99);
    expect(opening).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(opening).toContain('"role":"assistant"');
    // The first token goes with the preamble.
    expect(await readFrame()).toContain('"content":"');

    let second: string | undefined;
    const secondRead = readFrame().then((text) => (second = text));
    await vi.advanceTimersByTimeAsync(99);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await secondRead;
    expect(second).toContain('"content":" ');
    await reader.cancel();
  });

  it('stops waiting and counts an abort when the client goes away mid-stream', async () => {
    vi.useFakeTimers();
    const simulator = createSimulator({ catalog: testCatalog(paced) });
    const controller = new AbortController();
    const response = await post(simulator, openai.path, { ...openai.body, stream: true }, { signal: controller.signal });
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const pending = reader.read();
    expect(vi.getTimerCount()).toBe(1);

    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(vi.getTimerCount()).toBe(0);
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 0, aborted: 1, failed: 0 });
  });
});
