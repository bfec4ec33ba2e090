// The Amazon Bedrock adapter: Converse for JSON replies, ConverseStream for
// streams. Requests are signed with the gateway's own AWS identity (DESIGN
// decision 11) by a fetch wrapper, or carry a Bedrock API key as a bearer
// token when the catalog names one as the provider's credential. It only
// wires this folder's conversions to the shared HTTP layer.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
import type { StreamEvent } from '../../streaming/events.ts';
import { ProviderError } from '../provider-error.ts';
import type { AdapterOptions, CreateAdapter, Fetch, ProviderCall } from '../types.ts';
import { postJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { jsonReplyEvents, streamReplyEvents } from '../upstream-stream.ts';
import { mapErrorReply } from './error-mapping.ts';
import { createEventStreamDecoder } from './event-stream-decode.ts';
import { convertRequest, isClaudeModel } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { createSigningFetch } from './signing-fetch.ts';
import { streamConversion, type BedrockConversionContext } from './stream-conversion.ts';

const SIGNING_SERVICE = 'bedrock';

export const createAdapter: CreateAdapter = (options = {}) => ({
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const provider = call.endpoint.provider;
    const operation = call.stream ? 'converse-stream' : 'converse';
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      accept: call.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
    });
    if (call.credential !== undefined) headers.authorization = `Bearer ${call.credential}`;
    const response = await postJson(
      {
        fetch: bedrockFetch(call, options),
        url: upstreamUrl(provider.baseUrl, `/model/${encodeURIComponent(call.endpoint.upstreamModel)}/${operation}`),
        headers,
        body: convertRequest(call),
        signal: call.signal,
        provider: provider.name,
      },
      mapErrorReply,
    );
    const context: BedrockConversionContext = {
      provider: provider.name,
      reasoningFormat: isClaudeModel(call.endpoint.upstreamModel) ? 'anthropic-claude-v1' : 'unknown',
      upstreamId: response.headers.get('x-amzn-requestid') ?? undefined,
    };
    return call.stream
      ? streamReplyEvents({ response, decoder: createEventStreamDecoder(), conversion: streamConversion, context, signal: call.signal })
      : jsonReplyEvents(response, convertResponse, context, call.signal);
  },
});

/** The call's fetch: as it is with a Bedrock API key, else signed with the gateway's AWS identity. */
export function bedrockFetch(call: Pick<ProviderCall, 'credential' | 'fetch' | 'endpoint'>, options: AdapterOptions): Fetch {
  if (call.credential !== undefined) return call.fetch;
  const provider = call.endpoint.provider;
  if (options.awsCredentials === undefined) {
    throw new ProviderError({ status: 503, type: 'provider_unavailable', message: `No AWS identity to sign ${provider.name}'s requests`, retryable: true, provider: provider.name });
  }
  return createSigningFetch({
    fetch: call.fetch,
    credentials: options.awsCredentials,
    region: signingRegion(provider.region, provider.baseUrl, provider.name),
    service: SIGNING_SERVICE,
    now: options.now,
  });
}

/** The region to sign for: the catalog's, else the one in a standard Bedrock host name. */
export function signingRegion(region: string | undefined, baseUrl: string, provider: string): string {
  if (region !== undefined && region !== '') return region;
  const match = /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(baseUrl);
  if (match?.[1] !== undefined) return match[1];
  throw new ProviderError({
    status: 500,
    type: 'server',
    message: 'The Amazon Bedrock provider has no region configured',
    retryable: true,
    provider,
  });
}
