// The typed failure of an upstream call. Routing reads `fault` (did the
// upstream answer, with what status, did it refuse the gateway's credential)
// to record the attempt and to re-read secrets; clients never see it: the
// wire envelope is GatewayError's, and `fault` is not part of it.
import { GatewayError, type GatewayErrorOptions } from '../api/errors.ts';

export interface ProviderFault {
  /** The upstream's HTTP status, or the one its in-band error stands for; undefined when it never answered one (connect failure, abort, a reply broken after its 200). */
  upstreamStatus: number | undefined;
  /** The upstream refused the gateway's own credential or account (not the caller's request): the secret is read again before its next use. */
  credentialRejected: boolean;
}

export interface ProviderErrorOptions extends GatewayErrorOptions {
  provider: string;
  upstreamStatus?: number;
  credentialRejected?: boolean;
}

export class ProviderError extends GatewayError {
  readonly fault: ProviderFault;

  constructor(options: ProviderErrorOptions) {
    super(options);
    this.name = 'ProviderError';
    this.fault = { upstreamStatus: options.upstreamStatus, credentialRejected: options.credentialRejected ?? false };
  }
}

const noFault: ProviderFault = { upstreamStatus: undefined, credentialRejected: false };

/** What an error says about the upstream: nothing, unless a provider raised it. */
export function faultOf(error: GatewayError): ProviderFault {
  return error instanceof ProviderError ? error.fault : noFault;
}
