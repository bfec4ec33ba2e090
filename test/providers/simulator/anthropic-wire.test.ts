// The Anthropic Messages wire, read with the gateway's own SSE decoder.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../../lib/providers/simulator/index.ts';
import { at, parseJson, post, sseMessages, testCatalog } from './support.ts';

const path = '/sim-anthropic/v1/messages';
// "Be brief." (9) + "Tell me about the yard." (23) = 32 characters: 8 prompt tokens.
const base = {
  model: 'claude-sim',
  max_tokens: 100,
  system: 'Be brief.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about the yard.' }] }],
};
const tools = [
  { name: 'lookup_train', input_schema: { type: 'object', properties: { number: { type: 'integer' }, line: { type: 'string' } }, required: ['number', 'line'] } },
  { name: 'list_platforms', input_schema: { type: 'object', properties: { station: { type: 'string', enum: ['north', 'south'] } }, required: ['station'] } },
];

function simulator() {
  return createSimulator({ catalog: testCatalog({ outputTokens: 5 }) });
}

async function events(response: Response): Promise<{ event: string | undefined; data: unknown; raw: string }[]> {
  return (await sseMessages(response)).map((message) => ({ event: message.event, data: parseJson(message.data), raw: message.data }));
}

describe('simulator, Anthropic wire', () => {
  it('streams message_start … message_stop, each event named after its data type, with exact usage', async () => {
    const response = await post(simulator(), path, { ...base, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_011/);
    const received = await events(response);

    expect(received.map((entry) => entry.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const entry of received) expect(at(entry.data, 'type')).toBe(entry.event);
    expect(at(received[0]?.data, 'message')).toMatchObject({
      model: 'claude-sim',
      id: expect.stringMatching(/^msg_01[A-Za-z0-9]{22}$/),
      type: 'message',
      role: 'assistant',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(received[1]?.data).toMatchObject({ index: 0, content_block: { type: 'text', text: '' } });
    expect(received.at(-2)?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 },
    });
    // Like Anthropic, some payloads are padded before their closing brace.
    expect(received.some((entry) => / +}$/.test(entry.raw))).toBe(true);
  });

  it('gives the same text streamed and as JSON', async () => {
    const streamed = (await events(await post(simulator(), path, { ...base, stream: true })))
      .map((entry) => at(entry.data, 'delta', 'text'))
      .filter((text) => typeof text === 'string')
      .join('');
    const response = await post(simulator(), path, base);
    expect(response.headers.get('content-type')).toBe('application/json');
    const message = parseJson(await response.text());

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sim',
      content: [{ type: 'text', text: streamed }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(streamed.split(' ')).toHaveLength(5);
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const received = await events(await post(simulator(), path, { ...base, max_tokens: 2, stream: true }));
    expect(received.filter((entry) => entry.event === 'content_block_delta')).toHaveLength(2);
    expect(received.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 2 } });
  });

  it('streams a tool_use block with input_json_delta fragments that join into schema-built input', async () => {
    const received = await events(await post(simulator(), path, { ...base, tools, stream: true }));
    const start = received.find((entry) => entry.event === 'content_block_start');
    const fragments = received
      .filter((entry) => at(entry.data, 'delta', 'type') === 'input_json_delta')
      .map((entry) => at(entry.data, 'delta', 'partial_json'));

    expect(start?.data).toMatchObject({
      index: 0,
      content_block: { type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'lookup_train', input: {} },
    });
    expect(fragments[0]).toBe('');
    expect(fragments.length).toBeGreaterThan(2);
    expect(parseJson(fragments.join(''))).toEqual({ number: 1, line: 'example' });
    expect(received.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 8, output_tokens: fragments.length - 1 },
    });
  });

  it('follows tool_choice: a named tool, any, none', async () => {
    const named = parseJson(await (await post(simulator(), path, { ...base, tools, tool_choice: { type: 'tool', name: 'list_platforms' } })).text());
    expect(named).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'list_platforms', input: { station: 'north' } }] });

    const any = parseJson(await (await post(simulator(), path, { ...base, tools, tool_choice: { type: 'any' } })).text());
    expect(any).toMatchObject({ content: [{ type: 'tool_use', name: 'lookup_train', input: { number: 1, line: 'example' } }] });

    const none = parseJson(await (await post(simulator(), path, { ...base, tools, tool_choice: { type: 'none' } })).text());
    expect(none).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text' }] });
  });

  it('answers a tool_result with text', async () => {
    const response = await post(simulator(), path, {
      ...base,
      tools,
      messages: [
        ...base.messages,
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup_train', input: { number: 1, line: 'example' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'On time' }] },
      ],
    });
    const message = parseJson(await response.text());
    // 32 + "lookup_train" (12) + '{"number":1,"line":"example"}' (29) + "On time" (7) = 80 characters.
    expect(message).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text' }], usage: { input_tokens: 20, output_tokens: 5 } });
  });

  it('needs no credential, but requires max_tokens as Anthropic does', async () => {
    const response = await post(simulator(), path, { model: 'claude-sim', messages: base.messages });
    expect(response.status).toBe(400);
    expect(parseJson(await response.text())).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('answers 404 in Anthropic error shape for an unknown path or provider', async () => {
    const wrongPath = await post(simulator(), '/sim-anthropic/v1/complete', base);
    expect(wrongPath.status).toBe(404);
    expect(parseJson(await wrongPath.text())).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const unknown = await post(simulator(), '/nobody/v1/messages', base);
    expect(unknown.status).toBe(404);
    expect(parseJson(await unknown.text())).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('nobody') } });
  });
});
