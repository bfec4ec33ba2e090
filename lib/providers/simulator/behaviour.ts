// How a simulated provider behaves for one request: its catalog behaviour
// (or the one set at run time), adjusted by the request's drill headers, and
// whether this request is one of the failing ones.
import { z } from 'zod';
import { simulatorBehaviour, type SimulatorBehaviour } from '../../catalog/schema.ts';

export type SimulatedFailure = NonNullable<SimulatorBehaviour['failure']>;

/** Per-request overrides for drills: set them on a request, or in a catalog provider's `headers`. */
export const SIMULATOR_HEADERS = {
  /** JSON of the failure union (`{"mode":"drop","afterTokens":3}`), or `none` for a clean reply. */
  failure: 'x-simulator-failure',
  firstTokenMs: 'x-simulator-first-token-ms',
  tokensPerSecond: 'x-simulator-tokens-per-second',
  outputTokens: 'x-simulator-output-tokens',
} as const;

export interface RequestOverrides {
  /** null: no failure, whatever the behaviour says. */
  failure?: SimulatedFailure | null;
  firstTokenMs?: number;
  tokensPerSecond?: number;
  outputTokens?: number;
}

const failureSchema = simulatorBehaviour.shape.failure.unwrap();
const wholeNumber = z.coerce.number().int().nonnegative();

export type ReadOverrides = { ok: true; overrides: RequestOverrides } | { ok: false; message: string };

export function readOverrides(headers: Headers): ReadOverrides {
  const overrides: RequestOverrides = {};
  const failure = headers.get(SIMULATOR_HEADERS.failure);
  if (failure !== null) {
    if (failure.trim() === 'none') overrides.failure = null;
    else {
      const parsed = failureSchema.safeParse(parseJson(failure));
      if (!parsed.success) {
        return { ok: false, message: `${SIMULATOR_HEADERS.failure}: must be JSON of a simulator failure (mode status, stall, drop, malformed or error-event) or "none"` };
      }
      overrides.failure = parsed.data;
    }
  }
  for (const key of ['firstTokenMs', 'tokensPerSecond', 'outputTokens'] as const) {
    const value = headers.get(SIMULATOR_HEADERS[key]);
    if (value === null) continue;
    const parsed = wholeNumber.safeParse(value.trim() === '' ? undefined : value);
    if (!parsed.success || (key === 'outputTokens' && parsed.data === 0)) {
      return { ok: false, message: `${SIMULATOR_HEADERS[key]}: must be a whole number${key === 'outputTokens' ? ' above 0' : ''}` };
    }
    overrides[key] = parsed.data;
  }
  return { ok: true, overrides };
}

export function applyOverrides(behaviour: SimulatorBehaviour, overrides: RequestOverrides): SimulatorBehaviour {
  return {
    ...behaviour,
    firstTokenMs: overrides.firstTokenMs ?? behaviour.firstTokenMs,
    tokensPerSecond: overrides.tokensPerSecond ?? behaviour.tokensPerSecond,
    outputTokens: overrides.outputTokens ?? behaviour.outputTokens,
  };
}

/**
 * The failure this request gets. A header override always applies. Otherwise
 * `failureRate` r picks request n (1-based, counted since the behaviour was
 * set) when floor(n·r) passes an integer: r = 0.5 fails requests 2, 4, 6…,
 * r = 0.25 fails 4, 8…, so a drill sees exactly ⌊n·r⌋ failures in n requests.
 */
export function failureFor(behaviour: SimulatorBehaviour, overrides: RequestOverrides, requestNumber: number): SimulatedFailure | undefined {
  if (overrides.failure !== undefined) return overrides.failure ?? undefined;
  if (behaviour.failure === undefined) return undefined;
  const rate = behaviour.failureRate ?? 1;
  // The epsilon keeps 0.29 · 100 (28.999…) on the integer it means.
  const reached = (count: number): number => Math.floor(count * rate + 1e-9);
  return reached(requestNumber) > reached(requestNumber - 1) ? behaviour.failure : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
