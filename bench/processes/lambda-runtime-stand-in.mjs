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
//
// With SWITCHYARD_BENCH_MODE=serve it instead serves HTTP on loopback, one
// Function URL event per request (all in one process, unlike Lambda), so the
// bundle's CPU and memory can be measured under load with DynamoDB outside
// the process, as it is on AWS. It answers `cpu` and `memory` queries.
//
// node:http is imported only in that mode, and not as an ES module: the ES
// facade of node:http reads its WebSocket export, a getter that loads Node's
// whole fetch implementation (undici, ~10 ms), which the Lambda runtime's own
// client (CommonJS `require('http')`) does not pay before the bundle loads.
import { randomUUID } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Writable } from 'node:stream';
import { URL } from 'node:url';

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
          if (label !== 'warm-run') process.send({ type: 'first-byte', label, at: firstByteAt });
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
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024',
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
if (process.env.SWITCHYARD_BENCH_MODE === 'serve') await serve(handler);
else {
  const cold = await invoke(handler, 'cold');
  const warm = await invoke(handler, 'warm');
  // The warm path, measured apart: invocations in turn, each timed on the
  // absolute clock the mock upstream stamps its side with, and the same
  // upstream asked directly from this process for the floor.
  const warmRuns = [];
  const directRuns = [];
  for (let run = 0; run < Number(process.env.SWITCHYARD_BENCH_WARM_RUNS ?? '0'); run += 1) {
    const timed = await invoke(handler, 'warm-run');
    warmRuns.push({ startedAt: absolute(timed.startedAt), firstByteAt: absolute(timed.firstByteAt ?? Number.NaN) });
    directRuns.push(await directFirstByte());
  }
  process.send({ type: 'done', bootedAt, importStartedAt, importedAt, cold, warm, warmRuns, directRuns }, () => process.exit(0));
}

function absolute(at) {
  return performance.timeOrigin + at;
}

/** The upstream's first byte for the bench's request, asked with node:http from this process: request start → first byte, ms. */
async function directFirstByte() {
  const { request } = createRequire(import.meta.url)('node:http');
  const url = new URL(process.env.SWITCHYARD_BENCH_DIRECT_URL ?? '');
  const body = process.env.SWITCHYARD_BENCH_DIRECT_BODY ?? '';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (incoming) => {
      incoming.once('data', () => resolve(performance.now() - started));
      incoming.resume();
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function serve(handler) {
  const { createServer } = createRequire(import.meta.url)('node:http');
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      void handler(eventFrom(request, Buffer.concat(chunks).toString('utf8')), responseStreamTo(response), context()).catch(() => response.destroy());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (message) => {
    switch (message?.type) {
      case 'cpu': {
        const usage = process.cpuUsage();
        process.send({ type: 'cpu', millis: (usage.user + usage.system) / 1000 });
        break;
      }
      case 'memory':
        // Under --expose-gc, the live heap rather than whatever garbage the last collection left.
        globalThis.gc?.();
        process.send({ type: 'memory', usage: process.memoryUsage() });
        break;
      case 'stop':
        server.closeAllConnections();
        server.close(() => process.exit(0));
        break;
    }
  });
  process.send({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` });
}

/** A Function URL event (payload format 2.0) for a request node:http received. */
function eventFrom(request, body) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const domainName = 'bench0000000000000000000000000000.lambda-url.us-east-1.on.aws';
  const headers = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: { ...headers, host: domainName },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'bench0000000000000000000000000000',
      domainName,
      domainPrefix: 'bench0000000000000000000000000000',
      http: { method: request.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** The response stream the handler writes to, relayed to node:http: the prelude becomes the status line and headers. */
function responseStreamTo(response) {
  const head = () => {
    if (response.headersSent) return;
    const prelude = stream.prelude ?? { statusCode: 200, headers: {} };
    response.writeHead(prelude.statusCode ?? 200, prelude.headers ?? {});
  };
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      head();
      if (chunk.length === 0 || response.write(chunk)) callback();
      else response.once('drain', callback);
    },
    final(callback) {
      head();
      response.end(callback);
    },
  });
  return stream;
}
