// The Amazon Bedrock adapter: Converse for JSON replies, ConverseStream for
// streams. Requests are signed with the gateway's own AWS identity (DESIGN
// decision 11) by a fetch wrapper, or carry a Bedrock API key as a bearer
// token when the catalog names one as the provider's credential.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
import { GatewayError } from '../../api/errors.ts';
import type { ReasoningFormat, StreamEvent } from '../../streaming/events.ts';
import type { Fetch, ProviderAdapter, ProviderCall, UpstreamResponse } from '../types.ts';
import { sendUpstream, upstreamHeaders } from '../upstream-http.ts';
import { errorFromResponse } from './error-mapping.ts';
import { decodeEventStream, EventStreamFormatError } from './event-stream-decode.ts';
import { isClaudeModel, toConverseRequest } from './request-conversion.ts';
import { responseEvents } from './response-conversion.ts';
import { createSigningFetch, type AwsCredentialIdentityProvider } from './signing-fetch.ts';
import { createStreamTransform } from './stream-transform.ts';
import { converseResponse, parseStreamEvent } from './upstream-schemas.ts';

export interface BedrockAdapterOptions {
  /** The gateway's AWS identity: the function's role on Lambda, the default provider chain locally. */
  credentials: AwsCredentialIdentityProvider;
  /** Signing clock; the system clock when absent. */
  now?: () => number;
}

const SIGNING_SERVICE = 'bedrock';

export function createBedrockAdapter(options: BedrockAdapterOptions): ProviderAdapter {
  return {
    async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
      const provider = call.endpoint.provider;
      const body = toConverseRequest(call);
      const operation = call.stream ? 'converse-stream' : 'converse';
      const url = `${provider.baseUrl.replace(/\/+$/, '')}/model/${encodeURIComponent(call.endpoint.upstreamModel)}/${operation}`;
      const headers = upstreamHeaders(provider.headers, {
        'content-type': 'application/json',
        accept: call.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
      });
      let fetch: Fetch;
      if (call.credential !== undefined) {
        headers.authorization = `Bearer ${call.credential}`;
        fetch = call.fetch;
      } else {
        fetch = createSigningFetch({
          fetch: call.fetch,
          credentials: options.credentials,
          region: signingRegion(provider.region, provider.baseUrl, provider.name),
          service: SIGNING_SERVICE,
          now: options.now,
        });
      }

      const response = await sendUpstream(
        fetch,
        url,
        { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal },
        provider.name,
      );
      if (!response.ok) throw await errorFromResponse(response, provider.name);

      const upstreamId = response.headers.get('x-amzn-requestid') ?? undefined;
      const reasoningFormat: ReasoningFormat = isClaudeModel(call.endpoint.upstreamModel) ? 'anthropic-claude-v1' : 'unknown';
      if (!call.stream) {
        const reply = await readConverse(response, call.signal, provider.name);
        return fromArray(responseEvents(reply, { reasoningFormat, upstreamId }));
      }
      return streamEvents(response, call.signal, { provider: provider.name, reasoningFormat, upstreamId });
    },
  };
}

/** The region to sign for: the catalog's, else the one in a standard Bedrock host name. */
export function signingRegion(region: string | undefined, baseUrl: string, provider: string): string {
  if (region !== undefined && region !== '') return region;
  const match = /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(baseUrl);
  if (match?.[1] !== undefined) return match[1];
  throw new GatewayError({
    status: 500,
    type: 'server',
    message: 'The Amazon Bedrock provider has no region configured',
    retryable: true,
    provider,
  });
}

async function readConverse(response: UpstreamResponse, signal: AbortSignal, provider: string) {
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch (error) {
    throw streamFailure(error, signal, provider);
  }
  const parsed = converseResponse.safeParse(json);
  if (!parsed.success) {
    throw new GatewayError({
      status: 502,
      type: 'provider_unavailable',
      message: 'Provider returned a malformed response',
      retryable: true,
      provider,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

async function* fromArray(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* events;
}

async function* streamEvents(
  response: UpstreamResponse,
  signal: AbortSignal,
  options: Parameters<typeof createStreamTransform>[0],
): AsyncGenerator<StreamEvent> {
  const transform = createStreamTransform(options);
  if (response.body === null) {
    yield* transform.end();
    return;
  }
  try {
    for await (const message of decodeEventStream(response.body)) {
      yield* transform.push(parseStreamEvent(message));
      if (transform.closed) return;
    }
    yield* transform.end();
  } catch (error) {
    if (!transform.closed) yield { type: 'error', error: streamFailure(error, signal, options.provider) };
  }
}

function streamFailure(error: unknown, signal: AbortSignal, provider: string): GatewayError {
  if (signal.aborted) {
    return new GatewayError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause: error });
  }
  const message =
    error instanceof EventStreamFormatError || error instanceof SyntaxError
      ? 'Provider sent a malformed response'
      : 'Provider connection ended before the response finished';
  return new GatewayError({ status: 502, type: 'provider_unavailable', message, retryable: true, provider, cause: error });
}
