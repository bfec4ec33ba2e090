// Every failure mode on every wire, and how failing requests are picked.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../../cli/serve.ts';
import type { SimulatorBehaviour } from '../../../lib/catalog/schema.ts';
import { createSimulator, SIMULATOR_HEADERS } from '../../../lib/providers/simulator/index.ts';
import { at, outcomes, parseJson, post, sseMessages, testCatalog } from './support.ts';

type Failure = NonNullable<SimulatorBehaviour['failure']>;

const openaiBody = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'Hello, yard.' }] };
const anthropicBody = { model: 'claude-sim', max_tokens: 50, messages: [{ role: 'user', content: 'Hello, yard.' }] };
const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'Hello, yard.' }] }] };

const wires = {
  openai: { path: '/sim-openai/chat/completions', stream: { ...openaiBody, stream: true }, json: openaiBody, provider: 'sim-openai' },
  anthropic: { path: '/sim-anthropic/v1/messages', stream: { ...anthropicBody, stream: true }, json: anthropicBody, provider: 'sim-anthropic' },
  gemini: {
    path: '/sim-gemini/v1beta/models/gemini-sim:streamGenerateContent?alt=sse',
    jsonPath: '/sim-gemini/v1beta/models/gemini-sim:generateContent',
    stream: geminiBody,
    json: geminiBody,
    provider: 'sim-gemini',
  },
} as const;

function failing(failure: Failure, extra: Partial<SimulatorBehaviour> = {}) {
  return createSimulator({ catalog: testCatalog({ outputTokens: 5, failure, ...extra }) });
}

/** Reads a body to its end or its failure: the text received, and whether the stream errored. */
async function readAll(response: Response): Promise<{ text: string; errored: boolean }> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, errored: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, errored: true };
  }
}

describe('simulator failure: status', () => {
  it('answers the status in each wire’s error shape, with retry-after', async () => {
    const simulator = failing({ mode: 'status', status: 429, retryAfterSeconds: 7 });

    const openai = await post(simulator, wires.openai.path, wires.openai.stream);
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('7');
    const openaiText = await openai.text();
    expect(openaiText).toMatch(/^\{\n {4}"error": \{/);
    expect(parseJson(openaiText)).toEqual({ error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' } });

    const anthropic = await post(simulator, wires.anthropic.path, wires.anthropic.stream);
    expect([anthropic.status, anthropic.headers.get('retry-after')]).toEqual([429, '7']);
    expect(parseJson(await anthropic.text())).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.any(String) },
      request_id: expect.stringMatching(/^req_/),
    });

    const gemini = await post(simulator, wires.gemini.path, wires.gemini.stream);
    expect([gemini.status, gemini.headers.get('retry-after')]).toEqual([429, '7']);
    expect(parseJson(await gemini.text())).toEqual({
      error: {
        code: 429,
        message: expect.any(String),
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
      },
    });
    for (const wire of Object.values(wires)) expect(simulator.stats(wire.provider)).toEqual({ requests: 1, completed: 0, aborted: 0, failed: 1 });
  });

  it('maps 529 to overloaded_error on the Anthropic wire and 503 to UNAVAILABLE on Gemini', async () => {
    const anthropic = await post(failing({ mode: 'status', status: 529 }), wires.anthropic.path, wires.anthropic.json);
    expect(anthropic.headers.get('retry-after')).toBeNull();
    expect(parseJson(await anthropic.text())).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });
    const gemini = await post(failing({ mode: 'status', status: 503 }), wires.gemini.jsonPath, wires.gemini.json);
    expect(parseJson(await gemini.text())).toEqual({ error: { code: 503, message: expect.any(String), status: 'UNAVAILABLE' } });
  });
});

describe('simulator failure: stall', () => {
  it('never answers until the request is aborted, then counts an abort', async () => {
    const tracker = outcomes();
    const simulator = createSimulator({ catalog: testCatalog({ failure: { mode: 'stall' } }), onReplySettled: tracker.onReplySettled });
    const controller = new AbortController();
    let answered = false;
    const reply = post(simulator, wires.anthropic.path, wires.anthropic.stream, { signal: controller.signal }).then((response) => {
      answered = true;
      return response;
    });
    // Let the handler run as far as it goes.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(simulator.stats('sim-anthropic')).toEqual({ requests: 1, completed: 0, aborted: 0, failed: 0 });

    const outcome = tracker.next('sim-anthropic');
    controller.abort();
    expect(await outcome).toBe('aborted');
    expect((await reply).status).toBe(499);
    expect(simulator.stats('sim-anthropic')).toEqual({ requests: 1, completed: 0, aborted: 1, failed: 0 });
  });
});

describe('simulator failure: drop', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('cuts a real connection after afterTokens tokens: the openai client sees a broken stream', async () => {
    const tracker = outcomes();
    const simulator = createSimulator({ catalog: testCatalog({ outputTokens: 5, failure: { mode: 'drop', afterTokens: 2 } }), onReplySettled: tracker.onReplySettled });
    server = await serve(simulator.handle);
    const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0 });
    const outcome = tracker.next('sim-openai');

    const stream = await client.chat.completions.create({ ...openaiBody, stream: true });
    const words: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) words.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error: unknown) => error);

    expect(words.filter((word) => word !== '')).toHaveLength(2);
    expect(failure).toBeInstanceOf(Error);
    expect(await outcome).toBe('failed');
    expect(simulator.stats('sim-openai')).toEqual({ requests: 1, completed: 0, aborted: 0, failed: 1 });
  });

  it('errors the body stream after the opening events when afterTokens is 0 (Anthropic)', async () => {
    const response = await post(failing({ mode: 'drop', afterTokens: 0 }), wires.anthropic.path, wires.anthropic.stream);
    expect(response.status).toBe(200);
    const { text, errored } = await readAll(response);
    expect(errored).toBe(true);
    expect([...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1])).toEqual(['message_start', 'content_block_start', 'ping']);
  });

  it('sends every token but no finish when afterTokens exceeds the reply (Gemini), and half a JSON body', async () => {
    const simulator = failing({ mode: 'drop', afterTokens: 99 });
    const streamed = await readAll(await post(simulator, wires.gemini.path, wires.gemini.stream));
    expect(streamed.errored).toBe(true);
    expect(streamed.text.match(/\r\n\r\n/g)).toHaveLength(5);
    expect(streamed.text).not.toContain('finishReason');

    const json = await readAll(await post(simulator, wires.gemini.jsonPath, wires.gemini.json));
    expect(json.errored).toBe(true);
    expect(() => parseJson(json.text)).toThrow(SyntaxError);
    expect(simulator.stats('sim-gemini')).toMatchObject({ requests: 2, failed: 2 });
  });
});

describe('simulator failure: malformed', () => {
  it('breaks the JSON of the frame after afterTokens tokens: the openai client fails on it', async () => {
    const simulator = failing({ mode: 'malformed', afterTokens: 1 });
    const server = await serve(simulator.handle);
    try {
      const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0, logLevel: 'off' });
      const stream = await client.chat.completions.create({ ...openaiBody, stream: true });
      const words: string[] = [];
      const failure = await (async () => {
        for await (const chunk of stream) words.push(chunk.choices[0]?.delta.content ?? '');
      })().catch((error: unknown) => error);
      expect(words.filter((word) => word !== '')).toHaveLength(1);
      expect(failure).toBeInstanceOf(SyntaxError);
    } finally {
      await server.close();
    }
  });

  it('ends the Anthropic and Gemini streams cleanly after the broken frame', async () => {
    const simulator = failing({ mode: 'malformed', afterTokens: 2 });
    for (const wire of [wires.anthropic, wires.gemini]) {
      const messages = await sseMessages(await post(simulator, wire.path, wire.stream));
      const last = messages.at(-1);
      expect(() => parseJson(last?.data ?? '')).toThrow(SyntaxError);
      for (const message of messages.slice(0, -1)) expect(() => parseJson(message.data)).not.toThrow();
      const deltas = messages.filter((message) => message.event === 'content_block_delta' || wire === wires.gemini);
      expect(deltas).toHaveLength(3);
    }
    expect(simulator.stats('sim-anthropic').failed).toBe(1);
  });

  it('sends half a JSON body for a non-streaming request', async () => {
    const { text, errored } = await readAll(await post(failing({ mode: 'malformed', afterTokens: 0 }), wires.openai.path, wires.openai.json));
    expect(errored).toBe(false);
    expect(text.startsWith('{\n  "id": "chatcmpl-')).toBe(true);
    expect(() => parseJson(text)).toThrow(SyntaxError);
  });
});

describe('simulator failure: error-event', () => {
  it('opens a 200 OpenAI stream with an error chunk: the openai client throws it', async () => {
    const simulator = failing({ mode: 'error-event' });
    const server = await serve(simulator.handle);
    try {
      const client = new OpenAI({ baseURL: `${server.url}/sim-openai`, apiKey: 'unused', maxRetries: 0 });
      const stream = await client.chat.completions.create({ ...openaiBody, stream: true });
      const failure = await (async () => {
        for await (const _chunk of stream) throw new Error('expected no chunk');
      })().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect(failure).toMatchObject({ type: 'server_error' });
    } finally {
      await server.close();
    }
  });

  it('opens Anthropic with event: error (overloaded_error) and Gemini with an error chunk', async () => {
    const simulator = failing({ mode: 'error-event' });
    const anthropic = await post(simulator, wires.anthropic.path, wires.anthropic.stream);
    expect(anthropic.status).toBe(200);
    const anthropicMessages = await sseMessages(anthropic);
    expect(anthropicMessages).toHaveLength(1);
    expect(anthropicMessages[0]?.event).toBe('error');
    expect(parseJson(anthropicMessages[0]?.data ?? '')).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

    const gemini = await post(simulator, wires.gemini.path, wires.gemini.stream);
    expect(gemini.status).toBe(200);
    const geminiMessages = await sseMessages(gemini);
    expect(geminiMessages.map((message) => parseJson(message.data))).toEqual([{ error: { code: 503, message: expect.any(String), status: 'UNAVAILABLE' } }]);
    expect(simulator.stats('sim-gemini')).toEqual({ requests: 1, completed: 0, aborted: 0, failed: 1 });
  });

  it('answers a non-streaming request with 200 and the wire’s error body', async () => {
    const response = await post(failing({ mode: 'error-event' }), wires.openai.path, wires.openai.json);
    expect(response.status).toBe(200);
    expect(at(parseJson(await response.text()), 'error', 'type')).toBe('server_error');
  });
});

describe('simulator failure selection', () => {
  async function statuses(simulator: ReturnType<typeof createSimulator>, count: number): Promise<number[]> {
    const seen: number[] = [];
    for (let index = 0; index < count; index++) {
      const response = await post(simulator, wires.openai.path, wires.openai.json);
      await response.text();
      seen.push(response.status);
    }
    return seen;
  }

  it('fails every k-th request for a failureRate, and restarts the count when the behaviour is set', async () => {
    const simulator = failing({ mode: 'status', status: 503 }, { failureRate: 0.5 });
    expect(await statuses(simulator, 6)).toEqual([200, 503, 200, 503, 200, 503]);

    simulator.setBehaviour('sim-openai', { firstTokenMs: 0, tokensPerSecond: 0, outputTokens: 3, failure: { mode: 'status', status: 500 }, failureRate: 0.25 });
    expect(await statuses(simulator, 8)).toEqual([200, 200, 200, 500, 200, 200, 200, 500]);
    expect(simulator.stats('sim-openai')).toEqual({ requests: 14, completed: 9, aborted: 0, failed: 5 });

    simulator.setBehaviour('sim-openai', undefined);
    expect(await statuses(simulator, 2)).toEqual([200, 503]);
  });

  it('fails every request when failureRate is absent, none when it is 0', async () => {
    expect(await statuses(failing({ mode: 'status', status: 502 }), 3)).toEqual([502, 502, 502]);
    expect(await statuses(failing({ mode: 'status', status: 502 }, { failureRate: 0 }), 3)).toEqual([200, 200, 200]);
  });

  it('takes per-request overrides from x-simulator-* headers', async () => {
    const healthy = createSimulator({ catalog: testCatalog({ outputTokens: 5 }) });
    const forced = await post(healthy, wires.openai.path, wires.openai.json, {
      headers: { [SIMULATOR_HEADERS.failure]: JSON.stringify({ mode: 'status', status: 429, retryAfterSeconds: 2 }) },
    });
    expect([forced.status, forced.headers.get('retry-after')]).toEqual([429, '2']);

    const longer = await post(healthy, wires.openai.path, wires.openai.json, { headers: { [SIMULATOR_HEADERS.outputTokens]: '9' } });
    expect(at(parseJson(await longer.text()), 'usage', 'completion_tokens')).toBe(9);

    const spared = await post(failing({ mode: 'status', status: 503 }), wires.openai.path, wires.openai.json, { headers: { [SIMULATOR_HEADERS.failure]: 'none' } });
    expect(spared.status).toBe(200);

    for (const [header, value] of [
      [SIMULATOR_HEADERS.failure, '{"mode":"explode"}'],
      [SIMULATOR_HEADERS.firstTokenMs, 'soon'],
      [SIMULATOR_HEADERS.outputTokens, '0'],
    ] as const) {
      const refused = await post(healthy, wires.openai.path, wires.openai.json, { headers: { [header]: value } });
      expect(refused.status).toBe(400);
      expect(at(parseJson(await refused.text()), 'error', 'message')).toContain(header);
    }
  });
});
