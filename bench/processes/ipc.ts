// The harness's side of a child process: announce readiness, stop on request.

export function announce(message: { type: 'ready' } & Record<string, unknown>): void {
  if (process.send === undefined) throw new Error('Run this file through bench/run.ts (it needs an IPC channel)');
  process.send(message);
}

/** Exits (through `process.exit`, which also writes a `--cpu-prof` profile) on a `stop` message, SIGTERM or a lost parent. */
export function exitWhenAsked(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(0), 5_000);
    forced.unref();
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

/**
 * Answers the harness's queries: `clock` (the monotonic clock in
 * microseconds, the one V8 stamps `--cpu-prof` samples with, to cut a profile
 * to a load's window), `cpu` (process.cpuUsage, finer than /proc's 10 ms
 * ticks) and `memory` (process.memoryUsage).
 */
export function answerQueries(): void {
  process.on('message', (message: unknown) => {
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    switch (type) {
      case 'clock':
        process.send?.({ type, micros: Number(process.hrtime.bigint() / 1000n) });
        break;
      case 'cpu': {
        const usage = process.cpuUsage();
        process.send?.({ type, millis: (usage.user + usage.system) / 1000 });
        break;
      }
      case 'memory':
        // Under --expose-gc, the live heap rather than whatever garbage the last collection left.
        (globalThis as { gc?: () => void }).gc?.();
        process.send?.({ type, usage: process.memoryUsage() });
        break;
    }
  });
}
