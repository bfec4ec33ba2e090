// The built gateway bundle as Lambda runs it: one process per execution
// environment, serving one request at a time, started inside a Lambda-sized
// box (bench/cgroup.ts: the CPU share and memory limit of a memory size) with
// the Node flags the Lambda runtime uses for that size. Shared by the
// per-memory-size table, the bill per request and the fleet drill.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { lambdaNodeFlags, type LambdaBox } from './cgroup.ts';
import { repositoryRoot, type StartedProcess } from './child-process.ts';
import { SIMULATED_PROVIDER, INSTANT_PROVIDER, SWITCHYARD_INSTANT_MODEL, SWITCHYARD_MODEL, switchyardCatalog } from './workload.ts';

const STAND_IN = path.join(repositoryRoot, 'bench', 'processes', 'lambda-runtime-stand-in.mjs');

/** Claude Sonnet 4.5's list prices (USD per million tokens), the issue's reference request. */
export const REFERENCE_PRICING = { prompt: '3', completion: '15' } as const;

/** The bench's catalog with tools allowed, at the reference prices: realistic requests carry tools. */
export function realisticCatalog(upstreamUrl: string): unknown {
  const catalog = switchyardCatalog(upstreamUrl) as { providers: unknown; models: { endpoints: Record<string, unknown>[] }[] };
  return {
    ...catalog,
    models: catalog.models.map((model) => ({
      ...model,
      endpoints: model.endpoints.map((endpoint) => ({
        ...endpoint,
        pricing: REFERENCE_PRICING,
        supportedParameters: ['max_tokens', 'temperature', 'stop', 'tools', 'tool_choice'],
      })),
    })),
  };
}

const PARAGRAPH =
  'Freight timetable, junction 4: the 21:05 from the north yard carries 38 wagons of timber and must clear the loop before the 21:40 passenger service; ' +
  'the 22:10 intermodal waits at signal 12 until the down line is free, then takes the east curve at 25 km/h. ';

/** A prompt of about `bytes` bytes of running text. */
export function longPrompt(bytes: number): string {
  return PARAGRAPH.repeat(Math.ceil(bytes / PARAGRAPH.length)).slice(0, bytes);
}

const TOOLS = ['find_train', 'reserve_path', 'notify_signaller', 'weather_at'].map((name) => ({
  type: 'function',
  function: {
    name,
    description: `The timetable office's ${name.replaceAll('_', ' ')} call.`,
    parameters: {
      type: 'object',
      properties: { train: { type: 'string', description: 'Headcode, e.g. 6M42' }, junction: { type: 'integer' }, at: { type: 'string', format: 'date-time' } },
      required: ['train'],
    },
  },
}));

export interface RequestShape {
  promptBytes: number;
  tools: boolean;
  stream: boolean;
  maxTokens: number;
}

/** The realistic request: a 100 KB document and four tools, answered by a 1000-chunk stream. */
export const REALISTIC: RequestShape = { promptBytes: 100 * 1024, tools: true, stream: true, maxTokens: 1000 };

export function shapedBody(model: string, shape: RequestShape): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are the timetable office. Answer from the document; call a tool when you need live data.' },
      { role: 'user', content: `${longPrompt(shape.promptBytes)}\n\nWhich trains wait at signal 12 tonight, and for how long?` },
    ],
    ...(shape.tools ? { tools: TOOLS, tool_choice: 'auto' } : {}),
    max_tokens: shape.maxTokens,
    stream: shape.stream,
    ...(shape.stream ? { stream_options: { include_usage: true } } : {}),
  });
}

/** The same request through the gateway (its model id) and to the mock upstream directly (the provider's model). */
export const gatewayBody = (shape: RequestShape, instant = false): string => shapedBody(instant ? SWITCHYARD_INSTANT_MODEL : SWITCHYARD_MODEL, shape);
export const directBody = (shape: RequestShape, instant = false): string => shapedBody(instant ? INSTANT_PROVIDER.upstreamModel : SIMULATED_PROVIDER.upstreamModel, shape);

export interface BoxedProcessOptions {
  name: string;
  memoryMb: number;
  /** The box to start in; none runs unboxed (with the same Node flags). */
  box: LambdaBox | undefined;
  env: Record<string, string>;
  /** Keep what it writes to stdout and stderr (its log lines, as CloudWatch would get them). */
  onOutput?: (bytes: number) => void;
}

/**
 * Starts the Lambda runtime stand-in inside the box from its first
 * instruction: a shell writes its own pid into the box, then execs Node, so
 * Node's boot already runs at the box's CPU share.
 */
export function startBoxed(options: BoxedProcessOptions): StartedProcess {
  const node = [...lambdaNodeFlags(options.memoryMb), STAND_IN];
  const script = 'for file in $SWITCHYARD_BENCH_BOX; do echo $$ > "$file"; done; exec "$@"';
  const child = spawn('/bin/sh', ['-c', script, 'sh', process.execPath, ...node], {
    cwd: repositoryRoot,
    env: { ...options.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb), SWITCHYARD_BENCH_BOX: options.box?.procsFiles.join(' ') ?? '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);
  const tail: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.length));
  child.stderr?.on('data', (chunk: Buffer) => {
    options.onOutput?.(chunk.length);
    tail.push(chunk.toString('utf8'));
    if (tail.length > 20) tail.shift();
  });
  const started: StartedProcess = {
    name: options.name,
    pid: child.pid,
    child,
    stderrTail: () => tail.join('').slice(-2000),
    async cpuMillis() {
      return new Promise((resolve, reject) => {
        const onMessage = (message: { type?: string; millis?: number }): void => {
          if (message.type !== 'cpu') return;
          child.off('message', onMessage);
          resolve(message.millis ?? Number.NaN);
        };
        child.on('message', onMessage);
        if (!child.connected) reject(new Error(`${options.name} is gone`));
        else child.send({ type: 'cpu' });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return started;
}

export interface ColdStart {
  /** Parent clock: spawn → the first body byte of the first invocation. */
  spawnToFirstByteMs: number;
  bootMs: number;
  importMs: number;
  firstInvocationMs: number;
  status: number | undefined;
}

/** One fresh process in the box: spawn → the first body byte of its first invocation (the event in SWITCHYARD_BENCH_EVENT). */
export async function coldStartInBox(options: BoxedProcessOptions): Promise<ColdStart> {
  const spawnedAt = performance.now();
  const started = startBoxed({ ...options, env: { ...options.env, SWITCHYARD_BENCH_WARM_RUNS: '0' } });
  let firstByteAt: number | undefined;
  const done = await new Promise<{ bootedAt: number; importStartedAt: number; importedAt: number; cold: { firstByteAt?: number; startedAt: number; status?: number } }>((resolve, reject) => {
    const timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      reject(new Error(`${options.name} took longer than 120 s: ${started.stderrTail()}`));
    }, 120_000);
    started.child.on('message', (message: { type?: string; label?: string }) => {
      if (message.type === 'first-byte' && message.label === 'cold') firstByteAt ??= performance.now();
      if (message.type === 'done') {
        clearTimeout(timer);
        resolve(message as never);
      }
    });
    started.child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${signal ?? `code ${String(code)}`}) before it answered: ${started.stderrTail()}`));
    });
  });
  if (started.child.exitCode === null) await once(started.child, 'exit');
  if (firstByteAt === undefined || done.cold.firstByteAt === undefined) throw new Error(`${options.name} sent no body: ${started.stderrTail()}`);
  return {
    spawnToFirstByteMs: firstByteAt - spawnedAt,
    bootMs: done.bootedAt,
    importMs: done.importedAt - done.importStartedAt,
    firstInvocationMs: done.cold.firstByteAt - done.cold.startedAt,
    status: done.cold.status,
  };
}
