// The client: node:http with a keep-alive agent of C sockets and C workers,
// each sending its next request when the last one ended (a closed loop, as in
// ../shared/reference/portkey-baseline.md). Per request it records the time
// to the first body byte and to the last; a request that is not a complete
// 200 reply counts as an error, not as a sample.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Target } from './workload.ts';

export interface RunSpec {
  concurrency: number;
  /** Requests to send at most. */
  count: number;
  /** No new request starts after this; the ones in flight finish. */
  budgetMs: number;
  body: string;
  stream: boolean;
}

export interface RunResult {
  /** Milliseconds from sending to the first body byte. */
  ttfb: number[];
  /** Milliseconds from sending to the last body byte. */
  total: number[];
  errors: number;
  /** The first error seen, for the report. */
  firstError: string | undefined;
  wallMs: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

export function createAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, keepAliveMsecs: 60_000 });
}

export async function runLoad(target: Target, spec: RunSpec, agent: Agent): Promise<RunResult> {
  const result: RunResult = { ttfb: [], total: [], errors: 0, firstError: undefined, wallMs: 0 };
  const body = Buffer.from(spec.body);
  const started = performance.now();
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < spec.count && performance.now() - started < spec.budgetMs) {
      issued++;
      const outcome = await oneRequest(target, body, spec.stream, agent);
      if (outcome.ok) {
        result.ttfb.push(outcome.ttfb);
        result.total.push(outcome.total);
      } else {
        result.errors++;
        result.firstError ??= outcome.error;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  result.wallMs = performance.now() - started;
  return result;
}

type Outcome = { ok: true; ttfb: number; total: number } | { ok: false; error: string };

function oneRequest(target: Target, body: Buffer, stream: boolean, agent: Agent): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const sent = performance.now();
    let settled = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const outgoing = request(
      {
        agent,
        host: target.url.hostname,
        port: target.url.port,
        path: target.url.pathname,
        method: 'POST',
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': String(body.length) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let firstByte: number | undefined;
        // Only the end of the body is kept: enough to see `[DONE]` or a JSON reply's close.
        let tail = '';
        let bytes = 0;
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          firstByte ??= performance.now();
          bytes += text.length;
          tail = (tail + text).slice(-64);
        });
        response.on('end', () => {
          const ended = performance.now();
          if (response.statusCode !== 200) finish({ ok: false, error: `HTTP ${String(response.statusCode)}: ${tail.slice(0, 64)}` });
          else if (firstByte === undefined || bytes === 0) finish({ ok: false, error: 'empty body' });
          else if (stream ? !tail.includes('data: [DONE]') : !tail.trimEnd().endsWith('}')) {
            finish({ ok: false, error: stream ? 'stream ended without data: [DONE]' : 'JSON body is incomplete' });
          } else finish({ ok: true, ttfb: firstByte - sent, total: ended - sent });
        });
        response.on('error', (error) => finish({ ok: false, error: error.message }));
        response.on('aborted', () => finish({ ok: false, error: 'response aborted' }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no reply within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', (error) => finish({ ok: false, error: error.message }));
    outgoing.end(body);
  });
}
