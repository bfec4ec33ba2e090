// The signal a request's attempts run under: aborted when the client goes
// away (the edge's signal, with its reason) or when the request's deadline
// passes (a TimeoutError, as `AbortSignal.timeout` gives).
//
// One controller and one timer, both let go when the request is finished:
// `AbortSignal.any([signal, AbortSignal.timeout(ms)])` kept about 2 KB per
// request alive until its timer fired, 14 minutes later, so local mode's
// heap grew with the request rate for the first 14 minutes of a soak
// (BENCHMARKS.md, "Soak"); a cleared timer and a removed listener keep
// nothing.
export interface RequestSignal {
  signal: AbortSignal;
  /** The request is finished: stop the timer and stop listening to the edge's signal. */
  release(): void;
}

export function requestSignal(edge: AbortSignal, deadlineMs: number): RequestSignal {
  const controller = new AbortController();
  if (edge.aborted) {
    controller.abort(edge.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const onAbort = (): void => controller.abort(edge.reason);
  edge.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException('The request deadline passed', 'TimeoutError')), deadlineMs);
  // Never the reason a process stays up.
  (timer as { unref?: () => void }).unref?.();
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      edge.removeEventListener('abort', onAbort);
    },
  };
}
