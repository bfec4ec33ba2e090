// Two Anthropic stream shapes, replayed from recordings by loopback
// upstreams through the local gateway to /chat/completions and /messages:
// a tool call that arrives in message_start (programmatic tool calling)
// reaches the client with `tool_calls` / `tool_use`; a second message spliced
// into an open one is an upstream failure, never one clean reply.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { startTestGateway } from '../support/local-gateway.ts';
import { startLoopbackUpstream, type LoopbackUpstream } from '../support/loopback-upstream.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/anthropic');
const recording = (name: string): Buffer => readFileSync(path.join(fixtures, name));

let toolCalling: LoopbackUpstream;
let spliced: LoopbackUpstream;
let gateway: LocalGateway;

const endpoint = (provider: string) => ({
  provider,
  upstreamModel: 'claude-sonnet-4-5',
  pricing: { prompt: '3', completion: '15' },
  contextLength: 200_000,
  maxCompletionTokens: 8_192,
  supportedParameters: ['max_tokens', 'tools', 'tool_choice'],
});

beforeAll(async () => {
  toolCalling = await startLoopbackUpstream();
  spliced = await startLoopbackUpstream();
  const headers = { 'content-type': 'text/event-stream; charset=utf-8' };
  toolCalling.reply({ status: 200, headers, pieces: [recording('stream-message-start-tool-use.sse')] });
  spliced.reply({ status: 200, headers, pieces: [recording('stream-second-message-start.sse')] });
  gateway = await startTestGateway({
    env: { TOOL_CALLING_KEY: 'sk-ant-a', SPLICED_KEY: 'sk-ant-b' },
    catalogDocument: {
      providers: {
        'tool-calling': { name: 'Tool Calling', kind: 'anthropic', baseUrl: toolCalling.url, credential: 'TOOL_CALLING_KEY' },
        spliced: { name: 'Spliced', kind: 'anthropic', baseUrl: spliced.url, credential: 'SPLICED_KEY' },
      },
      models: [
        { id: 'recorded/tool-calling', name: 'Tool calling', created: 1767225600, endpoints: [endpoint('tool-calling')] },
        { id: 'recorded/spliced', name: 'Spliced', created: 1767225600, endpoints: [endpoint('spliced')] },
      ],
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await toolCalling.close();
  await spliced.close();
});

const tools = [{ type: 'function', function: { name: 'query_database', parameters: { type: 'object', properties: { sql: { type: 'string' } } } } }];
const messagesTools = [{ name: 'query_database', input_schema: { type: 'object', properties: { sql: { type: 'string' } } } }];

async function post(route: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${gateway.baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.keys.apiKey}` },
    body: JSON.stringify(body),
  });
}

const dataFrames = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)) as unknown);

describe('Anthropic recorded shapes through the gateway', () => {
  it('a tool call in message_start: /chat/completions gets it with finish_reason tool_calls, streamed and not', async () => {
    const body = { model: 'recorded/tool-calling', messages: [{ role: 'user', content: 'Revenue by region?' }], tools };
    const whole = (await (await post('/chat/completions', body)).json()) as { choices: { finish_reason: string; message: { tool_calls?: { function: { name: string; arguments: string } }[] } }[] };
    expect(whole.choices[0]?.finish_reason).toBe('tool_calls');
    expect(whole.choices[0]?.message.tool_calls?.map((call) => call.function)).toEqual([
      { name: 'query_database', arguments: '{"sql":"SELECT region, SUM(revenue) FROM sales GROUP BY region"}' },
    ]);

    const chunks = dataFrames(await (await post('/chat/completions', { ...body, stream: true })).text()) as {
      choices: { finish_reason: string | null; delta: { tool_calls?: { function?: { name?: string } }[] } }[];
    }[];
    expect(chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((call) => call.function?.name).filter(Boolean)).toEqual([
      'query_database',
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason != null)).toEqual(['tool_calls']);
  });

  it('a tool call in message_start: /messages gets a tool_use block and stop_reason tool_use', async () => {
    const response = await post('/messages', { model: 'recorded/tool-calling', max_tokens: 1024, messages: [{ role: 'user', content: 'Revenue by region?' }], tools: messagesTools });
    const message = (await response.json()) as { stop_reason: string; content: { type: string; name?: string; input?: unknown }[] };
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'query_database', input: { sql: 'SELECT region, SUM(revenue) FROM sales GROUP BY region' } })]);
  });

  it('a second message spliced into an open one: the streamed client gets an in-band error, not a clean finish', async () => {
    const response = await post('/chat/completions', { model: 'recorded/spliced', messages: [{ role: 'user', content: 'Open a ticket' }], tools, stream: true });
    const frames = dataFrames(await response.text()) as { error?: unknown; choices?: { finish_reason: string | null }[] }[];
    const finishes = frames.flatMap((frame) => frame.choices ?? []).map((choice) => choice.finish_reason).filter((reason) => reason != null);
    expect(finishes).not.toContain('stop');
    expect(frames.some((frame) => frame.error !== undefined)).toBe(true);
  });

  it('a second message spliced into an open one: a non-streamed client gets the failure, not a clean reply', async () => {
    // Past the commit point the JSON delivery reports it as OpenRouter does: finish_reason "error" and the choice's error.
    const response = await post('/chat/completions', { model: 'recorded/spliced', messages: [{ role: 'user', content: 'Open a ticket' }], tools });
    const body = (await response.json()) as { choices: { finish_reason: string; error?: { code: number } }[] };
    expect(body.choices[0]?.finish_reason).toBe('error');
    expect(body.choices[0]?.error?.code).toBe(502);
  });
});
