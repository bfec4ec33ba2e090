// Function URL events (payload format 2.0) to web Requests, and Responses
// to the streaming result middy turns into the prelude.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { frameReadable, gatewayRequestFromEvent, isFunctionUrlEvent, requestFromEvent, resultFromReply, resultFromResponse } from '../../functions/shared/lambda-http.ts';
import type { FrameSource } from '../../lib/api/reply.ts';
import { functionUrlEvent, type FunctionUrlRequest } from '../support/lambda-runtime.ts';

const event = (request: FunctionUrlRequest): LambdaFunctionURLEvent => functionUrlEvent(request) as unknown as LambdaFunctionURLEvent;

describe('requestFromEvent', () => {
  it('rebuilds the URL from the domain, raw path and raw query string', () => {
    const request = requestFromEvent(event({ method: 'GET', path: '/api/v1/generation?id=gen-1&x=a%20b' }));

    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.us-east-1.on.aws/api/v1/generation?id=gen-1&x=a%20b');
  });

  it('keeps headers, whatever their case, and folds the cookies array back into one Cookie header', () => {
    const request = requestFromEvent(event({ method: 'GET', path: '/api/v1/models', headers: { Authorization: 'Bearer k', 'X-Multi': 'a,b' }, cookies: ['session=abc', 'theme=dark'] }));

    expect(request.headers.get('authorization')).toBe('Bearer k');
    expect(request.headers.get('x-multi')).toBe('a,b');
    expect(request.headers.get('cookie')).toBe('session=abc; theme=dark');
  });

  it('passes a text body through', async () => {
    const request = requestFromEvent(event({ method: 'POST', path: '/api/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: '{"model":"m"}' }));

    expect(await request.text()).toBe('{"model":"m"}');
  });

  it('decodes a base64 body to its exact bytes', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d, 0xff, 0x00]);
    const request = requestFromEvent(event({ method: 'POST', path: '/api/v1/chat/completions', body: bytes, base64: true }));

    expect(Buffer.from(await request.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('drops a body on GET and HEAD, which a Request cannot carry', async () => {
    const request = requestFromEvent(event({ method: 'GET', path: '/api/v1/models', body: 'ignored' }));

    expect(request.body).toBeNull();
  });
});

describe('resultFromResponse', () => {
  it('carries status and headers, and moves Set-Cookie headers to cookies', async () => {
    const headers = new Headers({ 'content-type': 'text/event-stream', 'x-generation-id': 'gen-1' });
    headers.append('set-cookie', 'a=1; Secure');
    headers.append('set-cookie', 'b=2; HttpOnly');
    const result = resultFromResponse(new Response('data: [DONE]\n\n', { status: 200, headers }));

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'text/event-stream', 'x-generation-id': 'gen-1' });
    expect(result.cookies).toEqual(['a=1; Secure', 'b=2; HttpOnly']);
    expect(result.body).toBeInstanceOf(ReadableStream);
    expect(await new Response(result.body as ReadableStream<Uint8Array>).text()).toBe('data: [DONE]\n\n');
  });

  it('gives an empty string body when the response has none, so the prelude is still written', () => {
    const result = resultFromResponse(new Response(null, { status: 204 }));

    expect(result).toEqual({ statusCode: 204, headers: {}, body: '' });
  });
});

describe('isFunctionUrlEvent', () => {
  it('accepts a Function URL event, with or without a query string, headers or a body', () => {
    expect(isFunctionUrlEvent(event({ method: 'GET', path: '/api/v1/models' }))).toBe(true);
    const bare = { ...event({ method: 'POST', path: '/api/v1/chat/completions', body: '{}' }) } as Record<string, unknown>;
    delete bare.rawQueryString;
    delete bare.headers;
    expect(isFunctionUrlEvent(bare)).toBe(true);
  });

  it.each([
    ['a console test event', { key1: 'value1', key2: 'value2' }],
    ['a scheduled event', { 'detail-type': 'Scheduled Event', source: 'aws.scheduler', detail: {} }],
    ['an API Gateway v1 event', { httpMethod: 'GET', path: '/api/v1/models', requestContext: { stage: 'prod' } }],
    ['a path that is not absolute', { ...event({ method: 'GET', path: '/x' }), rawPath: 'x' }],
    ['a body that is not text', { ...event({ method: 'POST', path: '/x' }), body: { messages: [] } }],
    ['null', null],
    ['a string', 'GET /api/v1/models'],
  ])('refuses %s', (_name, candidate) => {
    expect(isFunctionUrlEvent(candidate)).toBe(false);
  });
});

describe('gatewayRequestFromEvent', () => {
  it('rebuilds the URL and reads headers whatever their case, with the cookies folded back', () => {
    const request = gatewayRequestFromEvent(
      event({ method: 'GET', path: '/api/v1/generation?id=gen-1&x=a%20b', headers: { Authorization: 'Bearer k', 'X-Multi': 'a,b' }, cookies: ['session=abc', 'theme=dark'] }),
    );

    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.us-east-1.on.aws/api/v1/generation?id=gen-1&x=a%20b');
    expect(request.headers.get('authorization')).toBe('Bearer k');
    expect(request.headers.get('AUTHORIZATION')).toBe('Bearer k');
    expect(request.headers.get('x-multi')).toBe('a,b');
    expect(request.headers.get('cookie')).toBe('session=abc; theme=dark');
    expect(request.headers.get('x-absent')).toBeNull();
    expect(request.signal.aborted).toBe(false);
  });

  it('gives a text body as its UTF-8 bytes and a base64 body as its exact bytes', async () => {
    const text = gatewayRequestFromEvent(event({ method: 'POST', path: '/api/v1/chat/completions', body: '{"model":"€"}' }));
    expect(new TextDecoder().decode(await text.arrayBuffer())).toBe('{"model":"€"}');

    const bytes = Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d, 0xff, 0x00]);
    const binary = gatewayRequestFromEvent(event({ method: 'POST', path: '/api/v1/chat/completions', body: bytes, base64: true }));
    expect(Buffer.from(await binary.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('has no body on GET, as a Request would', async () => {
    const request = gatewayRequestFromEvent(event({ method: 'GET', path: '/api/v1/models', body: 'ignored' }));

    expect((await request.arrayBuffer()).byteLength).toBe(0);
  });
});

function frames(values: string[], options: { failAfter?: number } = {}): FrameSource & { cancelled: () => boolean } {
  let cancelled = false;
  async function* generate(): AsyncGenerator<string, void, undefined> {
    for (const [index, value] of values.entries()) {
      if (options.failAfter === index) throw new Error('upstream dropped');
      yield value;
    }
  }
  return { frames: generate(), cancel: () => { cancelled = true; return Promise.resolve(); }, cancelled: () => cancelled };
}

async function readAll(readable: Readable): Promise<string> {
  let text = '';
  for await (const chunk of readable) text += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
  return text;
}

describe('resultFromReply', () => {
  it('carries status and lower-cased headers, and moves Set-Cookie to cookies', () => {
    const result = resultFromReply({ status: 200, headers: { 'Content-Type': 'application/json', 'set-cookie': 'a=1; Secure' }, body: '{}' });

    expect(result).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: ['a=1; Secure'], body: '{}' });
  });

  it('gives an empty string body when the reply has none, so the prelude is still written', () => {
    expect(resultFromReply({ status: 204, headers: {}, body: null })).toEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it('streams SSE frames in order', async () => {
    const source = frames(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    const result = resultFromReply({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: source });

    expect(result.body).toBeInstanceOf(Readable);
    expect(await readAll(result.body as Readable)).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(source.cancelled()).toBe(false);
  });
});

describe('frameReadable', () => {
  it('fails the stream when the frames fail, after what was sent', async () => {
    const readable = frameReadable(frames(['data: {"a":1}\n\n', 'never'], { failAfter: 1 }));
    const seen: string[] = [];
    readable.on('data', (chunk: Buffer) => seen.push(chunk.toString('utf8')));

    await expect(new Promise((resolve, reject) => readable.on('end', resolve).on('error', reject))).rejects.toThrow('upstream dropped');
    expect(seen).toEqual(['data: {"a":1}\n\n']);
  });

  it('tells the frame source when the reader goes away before the end', async () => {
    const source = frames(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']);
    const readable = frameReadable(source);
    const first = await new Promise<Buffer>((resolve) => readable.once('data', resolve));
    readable.destroy();
    await new Promise((resolve) => readable.once('close', resolve));

    expect(first.toString('utf8')).toBe('data: 1\n\n');
    expect(source.cancelled()).toBe(true);
  });
});
