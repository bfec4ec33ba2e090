// The Gemini wire: CRLF-framed SSE with `alt=sse`, and generateContent JSON.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../../lib/providers/simulator/index.ts';
import { at, parseJson, post, sseMessages, testCatalog } from './support.ts';

const streamPath = '/sim-gemini/v1beta/models/gemini-sim:streamGenerateContent?alt=sse';
const jsonPath = '/sim-gemini/v1beta/models/gemini-sim:generateContent';
// "Answer shortly." (15) + "Where is platform nine?" (23) = 38 characters: 10 prompt tokens.
const base = {
  systemInstruction: { parts: [{ text: 'Answer shortly.' }] },
  contents: [{ role: 'user', parts: [{ text: 'Where is platform nine?' }] }],
};
const tools = [
  {
    functionDeclarations: [
      { name: 'find_platform', parameters: { type: 'OBJECT', properties: { number: { type: 'INTEGER' }, station: { type: 'STRING' } }, required: ['number', 'station'] } },
      { name: 'departures', parameters: { type: 'OBJECT', properties: { late: { type: 'BOOLEAN' } }, required: ['late'] } },
    ],
  },
];

function simulator() {
  return createSimulator({ catalog: testCatalog({ outputTokens: 5 }) });
}

async function chunks(response: Response): Promise<unknown[]> {
  return (await sseMessages(response)).map((message) => parseJson(message.data));
}

describe('simulator, Gemini wire', () => {
  it('frames chunks with CRLF CRLF and Gemini JSON spacing', async () => {
    const response = await post(simulator(), streamPath, base);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const raw = await response.text();
    const frames = raw.split('\r\n\r\n');
    expect(frames.at(-1)).toBe('');
    expect(frames).toHaveLength(7);
    for (const frame of frames.slice(0, -1)) expect(frame).toMatch(/^data: \{"candidates": \[/);
    expect(raw).not.toMatch(/[^\r]\n/);
  });

  it('streams one word per chunk, usageMetadata on every chunk and finishReason only on the last', async () => {
    const received = await chunks(await post(simulator(), streamPath, base));
    expect(received).toHaveLength(6);
    const words = received.slice(0, 5).map((chunk) => at(chunk, 'candidates', 0, 'content', 'parts', 0, 'text'));
    for (const word of words) expect(word).toMatch(/^ ?[a-z]+$/);
    for (const chunk of received.slice(0, 5)) {
      expect(at(chunk, 'candidates', 0, 'finishReason')).toBeUndefined();
      expect(at(chunk, 'usageMetadata')).toEqual({
        promptTokenCount: 10,
        totalTokenCount: 10,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }],
      });
      expect(chunk).toMatchObject({ modelVersion: 'gemini-sim', responseId: expect.stringMatching(/^[A-Za-z0-9]{23}$/) });
    }
    expect(received[5]).toMatchObject({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    });

    const json = parseJson(await (await post(simulator(), jsonPath, base)).text());
    expect(json).toMatchObject({
      candidates: [{ content: { parts: [{ text: words.join('') }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      modelVersion: 'gemini-sim',
    });
  });

  it('stops at maxOutputTokens with MAX_TOKENS', async () => {
    const received = await chunks(await post(simulator(), streamPath, { ...base, generationConfig: { maxOutputTokens: 3 } }));
    expect(received).toHaveLength(4);
    expect(received[3]).toMatchObject({ candidates: [{ finishReason: 'MAX_TOKENS' }], usageMetadata: { candidatesTokenCount: 3 } });
  });

  it('sends a function call whole in one chunk with finishReason STOP', async () => {
    const received = await chunks(await post(simulator(), streamPath, { ...base, tools }));
    expect(received).toHaveLength(1);
    const call = { name: 'find_platform', args: { number: 1, station: 'example' } };
    expect(received[0]).toMatchObject({ candidates: [{ content: { parts: [{ functionCall: call }], role: 'model' }, finishReason: 'STOP' }] });
    // '{"number":1,"station":"example"}' is 32 characters: 8 fragments of 4, one token each.
    expect(at(received[0], 'usageMetadata', 'candidatesTokenCount')).toBe(8);
  });

  it('follows functionCallingConfig: ANY with allowed names, NONE', async () => {
    const forced = parseJson(
      await (
        await post(simulator(), jsonPath, { ...base, tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['departures'] } } })
      ).text(),
    );
    expect(forced).toMatchObject({ candidates: [{ content: { parts: [{ functionCall: { name: 'departures', args: { late: true } } }] } }] });

    const none = parseJson(await (await post(simulator(), jsonPath, { ...base, tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } })).text());
    expect(at(none, 'candidates', 0, 'content', 'parts', 0, 'text')).toEqual(expect.any(String));
  });

  it('answers a functionResponse with text', async () => {
    const json = parseJson(
      await (
        await post(simulator(), jsonPath, {
          ...base,
          tools,
          contents: [
            ...base.contents,
            { role: 'model', parts: [{ functionCall: { name: 'find_platform', args: { number: 9 } } }] },
            { role: 'user', parts: [{ functionResponse: { name: 'find_platform', response: { platform: '9¾' } } }] },
          ],
        })
      ).text(),
    );
    // 38 + "find_platform" (13) + '{"number":9}' (12) + '{"platform":"9¾"}' (17 code points) = 80: 20 tokens.
    expect(json).toMatchObject({ candidates: [{ finishReason: 'STOP', content: { parts: [{ text: expect.any(String) }] } }], usageMetadata: { promptTokenCount: 20 } });
  });

  it('serves only alt=sse streams, and answers errors in Google error shape', async () => {
    const noSse = await post(simulator(), '/sim-gemini/v1beta/models/gemini-sim:streamGenerateContent', base);
    expect(noSse.status).toBe(400);
    expect(parseJson(await noSse.text())).toEqual({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('alt=sse') } });

    const invalid = await post(simulator(), jsonPath, { contents: [] });
    expect(invalid.status).toBe(400);
    expect(parseJson(await invalid.text())).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents') } });

    const unknown = await post(simulator(), '/nobody/v1beta/models/gemini-sim:generateContent', base);
    expect(unknown.status).toBe(404);
    expect(parseJson(await unknown.text())).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});
