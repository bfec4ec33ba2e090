// The runtime stand-in (test/support/lambda-runtime.ts) behaves as the
// Node.js runtime does for the cases the gateway relies on: the prelude and
// its 8 NUL bytes before the first body byte, a content type fixed by the
// first write, a lost prelude when nothing is written, and the error
// trailers when a handler throws after committing a status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLambdaRuntime, METADATA_PRELUDE_CONTENT_TYPE, type LambdaRuntime, type Prelude, type ResponseStream } from '../support/lambda-runtime.ts';

interface AwsLambdaGlobal {
  streamifyResponse<T>(handler: T): T;
  HttpResponseStream: { from(stream: ResponseStream, prelude: Prelude): ResponseStream };
}

let runtime: LambdaRuntime;
let awslambda: AwsLambdaGlobal;

beforeAll(async () => {
  runtime = await installLambdaRuntime();
  awslambda = (globalThis as unknown as { awslambda: AwsLambdaGlobal }).awslambda;
});
afterAll(async () => {
  await runtime.close();
});

const ended = (stream: ResponseStream): Promise<void> => new Promise((resolve) => stream.end(resolve));

describe('the Lambda response-streaming stand-in', () => {
  it('writes the JSON prelude and 8 NUL bytes before the first body byte', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: ResponseStream) => {
      const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Thing': 'a' }, cookies: ['a=1; Secure'] });
      stream.write('hello ');
      stream.write(new TextEncoder().encode('world'));
      await ended(stream);
    });

    const result = await runtime.invoke(handler, {});

    expect(result.contentType).toBe(METADATA_PRELUDE_CONTENT_TYPE);
    const prelude = '{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Thing":"a"},"cookies":["a=1; Secure"]}';
    expect(result.raw.equals(Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('hello world')]))).toBe(true);
    expect(result).toMatchObject({ status: 201, headers: { 'content-type': 'text/plain', 'x-thing': 'a' }, cookies: ['a=1; Secure'], text: 'hello world', ended: true, error: undefined, timedOut: false });
  });

  it('refuses a content type once something was written', async () => {
    let refusal: unknown;
    const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: ResponseStream) => {
      responseStream.write('x');
      try {
        awslambda.HttpResponseStream.from(responseStream, { statusCode: 500 });
      } catch (error) {
        refusal = error;
      }
      await ended(responseStream);
    });

    const result = await runtime.invoke(handler, {});

    expect(String(refusal)).toMatch(/Cannot set content-type, too late/);
    expect(result).toMatchObject({ contentType: 'application/octet-stream', status: 200, text: 'x' });
  });

  it('loses the prelude when the stream ends without a write: the client gets a 502', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: ResponseStream) => {
      await ended(awslambda.HttpResponseStream.from(responseStream, { statusCode: 401 }));
    });

    const result = await runtime.invoke(handler, {});

    expect(result).toMatchObject({ contentType: METADATA_PRELUDE_CONTENT_TYPE, prelude: undefined, status: 502, ended: true });
    expect(result.raw.length).toBe(0);
  });

  it('ends the stream with error trailers when the handler throws after writing', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: ResponseStream) => {
      awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/event-stream' } }).write('data: {}\n\n');
      throw new TypeError('boom');
    });

    const result = await runtime.invoke(handler, {});

    expect(result.status).toBe(200);
    expect(result.text).toBe('data: {}\n\n');
    expect(result.error?.type).toBe('TypeError');
    expect(result.error?.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('fails a handler that is not async', async () => {
    const handler = awslambda.streamifyResponse((_event: unknown, responseStream: ResponseStream) => {
      responseStream.write('early');
    });

    const result = await runtime.invoke(handler, {});

    expect(result.error?.body).toMatchObject({ errorMessage: 'Streaming does not support non-async handlers.' });
  });

  it('refuses a handler that streamifyResponse did not mark', async () => {
    await expect(runtime.invoke(async () => undefined, {})).rejects.toThrow(/streamifyResponse/);
  });
});
