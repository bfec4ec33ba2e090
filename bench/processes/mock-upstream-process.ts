// The upstream every target reaches: a minimal OpenAI-compatible chat
// completions server on plain node:http, written here and sharing no code
// with the gateway or its simulator, so no figure rests on the simulator's
// shortcuts. POST /<provider>/chat/completions answers, after the provider's
// first-token delay, `max_tokens` tokens: one JSON reply, or one SSE chunk
// per token, each its own write on its own event-loop turn as a real
// provider's arrive, then the finish chunk, a usage chunk when asked for, and
// `data: [DONE]`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { INSTANT_PROVIDER, SIMULATED_PROVIDER } from '../workload.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const firstTokenMsOf: Record<string, number> = { [SIMULATED_PROVIDER.id]: SIMULATED_PROVIDER.firstTokenMs, [INSTANT_PROVIDER.id]: 0 };
/** Absolute milliseconds (the system clock, sub-millisecond): comparable across the harness's processes. */
const clock = (): number => performance.timeOrigin + performance.now();
/** When each request arrived and its first byte left, for the warm-path breakdown (bench/lambda-cold-start.ts). */
const timings: { provider: string; receivedAt: number; firstByteAt: number }[] = [];
const WORDS = ['The', ' freight', ' train', ' leaves', ' the', ' junction', ' at', ' nine', ',', ' then'];
let served = 0;

interface Asked {
  model: string;
  stream: boolean;
  maxTokens: number;
  includeUsage: boolean;
}

function readAsked(body: string): Asked | undefined {
  try {
    const parsed = JSON.parse(body) as { model?: unknown; stream?: unknown; max_tokens?: unknown; stream_options?: { include_usage?: unknown } };
    const maxTokens = typeof parsed.max_tokens === 'number' && parsed.max_tokens > 0 ? Math.min(parsed.max_tokens, 4_096) : 16;
    return { model: String(parsed.model ?? 'mock'), stream: parsed.stream === true, maxTokens, includeUsage: parsed.stream_options?.include_usage === true };
  } catch {
    return undefined;
  }
}

async function answer(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const receivedAt = clock();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const provider = /^\/([^/]+)\/chat\/completions$/.exec(incoming.url ?? '')?.[1];
  const firstTokenMs = provider === undefined ? undefined : firstTokenMsOf[provider];
  const asked = readAsked(Buffer.concat(chunks).toString('utf8'));
  if (incoming.method !== 'POST' || firstTokenMs === undefined || asked === undefined) {
    outgoing.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  served += 1;
  const id = `chatcmpl-mock-${served}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 24, completion_tokens: asked.maxTokens, total_tokens: 24 + asked.maxTokens };
  if (firstTokenMs > 0) await delay(firstTokenMs);
  if (timings.length < 10_000) timings.push({ provider: provider ?? '', receivedAt, firstByteAt: clock() });
  if (!asked.stream) {
    let text = '';
    for (let index = 0; index < asked.maxTokens; index += 1) text += WORDS[index % WORDS.length];
    const body = JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model: asked.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'length', logprobs: null }],
      usage,
    });
    outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return;
  }
  outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const envelope = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(asked.model)},"choices":[{"index":0,`;
  for (let index = 0; index < asked.maxTokens && !outgoing.destroyed; index += 1) {
    const delta = index === 0 ? `{"role":"assistant","content":${JSON.stringify(WORDS[0])}}` : `{"content":${JSON.stringify(WORDS[index % WORDS.length])}}`;
    outgoing.write(`data: ${envelope}"delta":${delta},"finish_reason":null}]}\n\n`);
    await nextTurn();
  }
  outgoing.write(`data: ${envelope}"delta":{},"finish_reason":"length"}]}\n\n`);
  if (asked.includeUsage) outgoing.write(`data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(asked.model)},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`);
  outgoing.end('data: [DONE]\n\n');
}

const server = createServer((incoming, outgoing) => {
  answer(incoming, outgoing).catch(() => outgoing.destroy());
});
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
exitWhenAsked(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
answerQueries();
process.on('message', (message: unknown) => {
  if ((message as { type?: unknown } | null)?.type !== 'timings') return;
  process.send?.({ type: 'timings', timings: timings.splice(0) });
});
announce({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
