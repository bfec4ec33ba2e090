// An upstream that holds every request until all the test's requests have
// either reached it or been refused by the gateway: so every admitted
// request's hold is taken before any is settled, and "exactly k admitted" is
// a fact about reservations, not about timing. Behind the gate, the local
// gateway's own provider simulator answers.
import { serve, type RunningServer } from '../../../cli/serve.ts';
import type { Simulator } from '../../../lib/providers/simulator/index.ts';

export interface GatedUpstream {
  url: string;
  /** Requests that reached the upstream. */
  readonly arrivals: number;
  /** Tell the gate a request was refused before reaching it. */
  refused(): void;
  /** Wire the simulator that answers once the gate opens. */
  attach(simulator: Simulator): void;
  close(): Promise<void>;
}

export interface GateOptions {
  total: number;
  /** Headers to add to the n-th arrival's upstream request (simulator drills such as `x-simulator-failure`). */
  drill?: (arrival: number) => Record<string, string>;
}

export async function startGatedUpstream(options: GateOptions): Promise<GatedUpstream> {
  let arrivals = 0;
  let refusals = 0;
  let simulator: Simulator | undefined;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const check = (): void => {
    if (arrivals + refusals >= options.total) open();
  };
  const server: RunningServer = await serve(async (request) => {
    arrivals += 1;
    const drill = options.drill?.(arrivals) ?? {};
    check();
    await opened;
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(drill)) headers.set(name, value);
    const forwarded = new Request(request.url, { method: request.method, headers, body: await request.text(), signal: request.signal });
    return (simulator as Simulator).handle(forwarded);
  });
  return {
    url: server.url,
    get arrivals() {
      return arrivals;
    },
    refused() {
      refusals += 1;
      check();
    },
    attach(value) {
      simulator = value;
    },
    close: () => server.close(),
  };
}

/** A small seeded generator, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
