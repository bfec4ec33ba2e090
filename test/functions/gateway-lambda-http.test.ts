// Function URL events (payload format 2.0) to web Requests, and Responses
// to the streaming result middy turns into the prelude.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { requestFromEvent, resultFromResponse } from '../../functions/shared/lambda-http.ts';
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
    expect(await new Response(result.body).text()).toBe('data: [DONE]\n\n');
  });

  it('gives an empty string body when the response has none, so the prelude is still written', () => {
    const result = resultFromResponse(new Response(null, { status: 204 }));

    expect(result).toEqual({ statusCode: 204, headers: {}, body: '' });
  });
});
