// The Anthropic Messages adapter: POST ${baseUrl}/v1/messages, then the SSE
// stream or the Message JSON as canonical events.
import { GatewayError } from '../../api/errors.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { decodeSse } from '../../streaming/sse-decode.ts';
import type { ProviderAdapter, ProviderCall, UpstreamResponse } from '../types.ts';
import { sendUpstream, upstreamHeaders } from '../upstream-http.ts';
import { brokenReplyError, errorFromResponse } from './error-mapping.ts';
import { convertRequest } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { transformStream } from './stream-transform.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAdapter: ProviderAdapter = {
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const provider = call.endpoint.provider;
    if (provider.credential !== undefined && call.credential === undefined) {
      throw new GatewayError({
        status: 502,
        type: 'provider_unavailable',
        message: `No credential is configured for ${provider.name}`,
        retryable: true,
        provider: provider.name,
      });
    }
    const body = convertRequest(call);
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(call.credential === undefined ? {} : { 'x-api-key': call.credential }),
    });
    const url = `${provider.baseUrl.replace(/\/+$/, '')}/v1/messages`;
    const response = await sendUpstream(
      call.fetch,
      url,
      { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal },
      provider.name,
    );
    if (!response.ok) throw await errorFromResponse(response, provider.name);
    return call.stream ? streamEvents(response, provider.name) : messageEvents(response, provider.name);
  },
};

async function* streamEvents(response: UpstreamResponse, provider: string): AsyncGenerator<StreamEvent> {
  if (response.body === null) {
    yield { type: 'error', error: brokenReplyError(provider, 'the stream has no body') };
    return;
  }
  try {
    yield* transformStream(decodeSse(response.body), provider);
  } finally {
    // Stopped early (a finish, an error event, or the consumer left): free the connection.
    await response.body.cancel().catch(() => undefined);
  }
}

async function* messageEvents(response: UpstreamResponse, provider: string): AsyncGenerator<StreamEvent> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch (error) {
    yield { type: 'error', error: brokenReplyError(provider, 'the reply is not JSON', error) };
    return;
  }
  yield* convertResponse(body, provider);
}
