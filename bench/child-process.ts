// The processes the harness starts: each gateway (and the mock upstream, and the
// null proxy) runs alone in its own process so its CPU and memory can be read
// on their own, and so the client's event loop never runs gateway code.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { cpuMillis } from './process-stats.ts';

export const repositoryRoot = path.resolve(import.meta.dirname, '..');

export interface StartedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last lines it wrote to stderr, for a failure message. */
  stderrTail(): string;
  /** CPU ms used so far: process.cpuUsage() over IPC when it answers queries, else /proc (10 ms steps). */
  cpuMillis(): Promise<number>;
  /** Ask it to exit (a `stop` message, or SIGTERM without IPC), SIGKILL if it lingers. */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Arguments to the Node binary running this harness. */
  args: string[];
  env?: Record<string, string | undefined>;
  /** Whether the process talks over IPC (our own processes do; Portkey does not). */
  ipc: boolean;
}

export function startProcess(options: StartOptions): StartedProcess {
  const child = spawn(process.execPath, options.args, {
    cwd: repositoryRoot,
    env: options.env ?? minimalEnvironment(),
    stdio: options.ipc ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail.push(text);
    if (tail.length > 20) tail.shift();
  });
  const started: StartedProcess = {
    name: options.name,
    pid: child.pid,
    child,
    stderrTail: () => tail.join('').slice(-2000),
    async cpuMillis() {
      if (!options.ipc) return cpuMillis(child.pid as number);
      return (await query<{ type: 'cpu'; millis: number }>(started, 'cpu')).millis;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      if (options.ipc && child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return started;
}

/** Sends a query (see processes/ipc.ts) and waits for its answer. */
export function query<T extends { type: string }>(started: StartedProcess, type: T['type']): Promise<T> {
  const answer = nextMessage<T>(started, type, 10_000);
  started.child.send({ type });
  return answer;
}

/** Waits for the first IPC message of the given type, failing if the process exits or takes too long. */
export function nextMessage<T extends { type: string }>(started: StartedProcess, type: T['type'], timeoutMs = 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { child } = started;
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type) {
        cleanup();
        resolve(message as T);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${started.name} exited (code ${String(code)}) before "${type}": ${started.stderrTail()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${started.name} sent no "${type}" within ${timeoutMs} ms: ${started.stderrTail()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** PATH and HOME only: no credentials of this machine reach the processes under test. */
export function minimalEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
