// A stand-in for the Lambda Node.js runtime, just enough to serve one
// Function URL invocation in streaming mode: the `awslambda` global
// (streamifyResponse, HttpResponseStream.from) that the bundle's middy shell
// uses, then one import of the bundle and one call of its handler.
//
// Plain JavaScript on purpose: no TypeScript loader runs before the bundle,
// so process start to first byte is the bundle's own cost plus Node's boot.
//
// Input (environment): SWITCHYARD_BENCH_BUNDLE (file URL of the bundle) and
// SWITCHYARD_BENCH_EVENT (the Function URL event, JSON), beside the
// function's own configuration. Output (IPC): `first-byte`, then `done`.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Writable } from 'node:stream';

const bootedAt = performance.now();

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, prelude) {
      stream.prelude = prelude;
      return stream;
    },
  },
};

const event = JSON.parse(process.env.SWITCHYARD_BENCH_EVENT ?? '{}');

/** A response stream that reports its first body byte at once and keeps the body's end. */
function responseStream(label) {
  let firstByteAt;
  let bytes = 0;
  let tail = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      if (chunk.length > 0) {
        if (firstByteAt === undefined) {
          firstByteAt = performance.now();
          process.send({ type: 'first-byte', label, at: firstByteAt });
        }
        bytes += chunk.length;
        tail = (tail + chunk.toString('utf8')).slice(-200);
      }
      callback();
    },
  });
  return { stream, result: () => ({ firstByteAt, bytes, tail, status: stream.prelude?.statusCode }) };
}

function context() {
  const deadline = Date.now() + 60_000;
  return {
    awsRequestId: randomUUID(),
    functionName: 'switchyard-gateway',
    functionVersion: '$LATEST',
    memoryLimitInMB: '1024',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

async function invoke(handler, label) {
  const started = performance.now();
  const { stream, result } = responseStream(label);
  await handler(event, stream, context());
  return { ...result(), startedAt: started, endedAt: performance.now() };
}

const importStartedAt = performance.now();
const { handler } = await import(process.env.SWITCHYARD_BENCH_BUNDLE ?? '');
const importedAt = performance.now();
const cold = await invoke(handler, 'cold');
const warm = await invoke(handler, 'warm');
process.send({ type: 'done', bootedAt, importStartedAt, importedAt, cold, warm }, () => process.exit(0));
