// Thought signatures must survive the round trip: Gemini response → stream
// events → the caller's `reasoning_details` → the next Gemini request, on the
// same part they came on.
import { describe, expect, it } from 'vitest';
import { convertResponse } from '../../../lib/providers/gemini/response-conversion.ts';
import { convertRequest } from '../../../lib/providers/gemini/request-conversion.ts';
import type { StreamEvent } from '../../../lib/streaming/events.ts';
import { geminiCall, ownFixtures, readFixture, summarize } from './support.ts';

/** The assistant message a client would send back after these events, details shaped by `detail`. */
function assistantTurn(events: StreamEvent[], detail: (signature: string, block: number, toolCallId?: string) => Record<string, unknown>) {
  const summary = summarize(events);
  const signatureEvents = events.filter((event) => event.type === 'reasoning-signature');
  return {
    role: 'assistant',
    content: summary.text === '' ? null : summary.text,
    ...(summary.toolCalls.length > 0
      ? { tool_calls: summary.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
      : {}),
    reasoning_details: signatureEvents.map((event, index) => detail(event.signature, event.block, summary.toolCalls[index]?.id)),
  };
}

const eventsOf = (name: string): StreamEvent[] => convertResponse(JSON.parse(readFixture(ownFixtures, name).toString('utf8')), { provider: 'Google AI Studio' });

/** As Switchyard's own encoder sends them: per block, no tool call id. */
const asEncoded = (signature: string, block: number) => ({ type: 'reasoning.text', text: '', signature, format: 'google-gemini-v1', index: block });
/** As OpenRouter sends them for Gemini: encrypted, bound to the tool call id. */
const asOpenRouter = (signature: string, block: number, toolCallId?: string) => ({
  type: 'reasoning.encrypted',
  data: signature,
  ...(toolCallId !== undefined ? { id: toolCallId } : {}),
  format: 'google-gemini-v1',
  index: block,
});

describe('thought signatures round trip', () => {
  it.each([
    ['our encoder', asEncoded],
    ['OpenRouter', asOpenRouter],
  ])('puts a function call signature back on that call (details as %s)', (_, detail) => {
    const events = eventsOf('response-parallel-function-calls.json');
    const signature = summarize(events).signatures[0] as string;
    const body = convertRequest(
      geminiCall({
        messages: [
          { role: 'user', content: 'What time is it in Lisbon and Tokyo?' },
          assistantTurn(events, detail),
          { role: 'tool', tool_call_id: 'call_0', content: '09:14' },
          { role: 'tool', tool_call_id: 'call_1', content: '17:14' },
        ],
      }),
    );
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { name: 'get_time', args: { timezone: 'Europe/Lisbon' } }, thoughtSignature: signature },
        { functionCall: { name: 'get_time', args: { timezone: 'Asia/Tokyo' } } },
      ],
    });
    expect(body.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_time', response: { result: '09:14' } } },
        { functionResponse: { name: 'get_time', response: { result: '17:14' } } },
      ],
    });
  });

  it('puts a signature that came on the answer text back on the text', () => {
    const events = eventsOf('response-thoughts.json');
    // That recording has no signature: give the answer one, as Gemini 2.5 streams do.
    const withSignature: StreamEvent[] = [
      ...events.slice(0, -1),
      { type: 'reasoning-signature', signature: 'c2lnbmF0dXJl', format: 'google-gemini-v1', block: 0 },
      events.at(-1) as StreamEvent,
    ];
    const body = convertRequest(
      geminiCall({
        messages: [
          { role: 'user', content: 'How many r in strawberry?' },
          assistantTurn(withSignature, asEncoded),
          { role: 'user', content: 'And in raspberry?' },
        ],
      }),
    );
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'There are **3** letters "r" in "strawberry".', thoughtSignature: 'c2lnbmF0dXJl' }],
    });
  });

  it('places signatures named by tool call id on those calls, whatever their order', () => {
    const body = convertRequest(
      geminiCall({
        messages: [
          { role: 'user', content: 'Plan the trip.' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'search_flights', arguments: '{}' } },
              { id: 'call_b', type: 'function', function: { name: 'search_hotels', arguments: '{}' } },
            ],
            reasoning_details: [
              { type: 'reasoning.encrypted', data: 'c2lnLWI=', id: 'call_b', format: 'google-gemini-v1', index: 0 },
              { type: 'reasoning.encrypted', data: 'c2lnLWE=', id: 'call_a', format: 'google-gemini-v1', index: 1 },
            ],
          },
        ],
      }),
    );
    expect(body.contents[1]?.parts).toEqual([
      { functionCall: { name: 'search_flights', args: {} }, thoughtSignature: 'c2lnLWE=' },
      { functionCall: { name: 'search_hotels', args: {} }, thoughtSignature: 'c2lnLWI=' },
    ]);
  });

  it('ignores reasoning details from other providers', () => {
    const body = convertRequest(
      geminiCall({
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: 'Hello!',
            reasoning_details: [
              { type: 'reasoning.text', text: 'Greet back.', signature: 'EqQBCkYIBxgCKkD', format: 'anthropic-claude-v1', index: 0 },
              { type: 'reasoning.encrypted', data: 'gAAAAABo', format: 'openai-responses-v1', index: 1 },
            ],
          },
        ],
      }),
    );
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ text: 'Hello!' }] });
  });
});
