// The gateway stopping (DESIGN decision 14): the edge drains the requests in
// flight up to a bound, then aborts the signals of those still running with
// `gatewayStopping()`. The pipeline tells that apart from a client that left:
// the client is still there, so its request ends as a cut-off upstream would
// end it (the door's in-band error after the commit point, a 503 before it),
// and it is billed for what was delivered, recorded, and not held against any
// provider's health.
import { GatewayError } from '../api/errors.ts';

class GatewayStoppingError extends GatewayError {}

/** The abort reason a drain hands to the requests it ends. */
export function gatewayStopping(): GatewayError {
  return new GatewayStoppingError({
    status: 503,
    type: 'server',
    message: 'The gateway is shutting down: the request was ended; retry it',
    retryable: true,
    headers: { 'retry-after': '1' },
  });
}

/** The stopping error, when `signal` aborted because the gateway is stopping. */
export function stoppedBy(signal: AbortSignal): GatewayError | undefined {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof GatewayStoppingError ? reason : undefined;
}
