// The Anthropic Messages adapter: POST ${baseUrl}/v1/messages, then the SSE
// stream or the Message JSON as canonical events. It only wires this
// folder's conversions to the shared HTTP layer.
import type { StreamEvent } from '../../streaming/events.ts';
import type { CreateAdapter, ProviderCall } from '../types.ts';
import { postJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { jsonReplyEvents, sseFrames, streamReplyEvents } from '../upstream-stream.ts';
import { mapErrorReply } from './error-mapping.ts';
import { convertRequest } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { streamConversion } from './stream-conversion.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export const createAdapter: CreateAdapter = () => ({
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const provider = call.endpoint.provider;
    const context = { provider: provider.name };
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(call.credential === undefined ? {} : { 'x-api-key': call.credential }),
    });
    const response = await postJson(
      { fetch: call.fetch, url: upstreamUrl(provider.baseUrl, '/v1/messages'), headers, body: convertRequest(call), signal: call.signal, provider: provider.name },
      mapErrorReply,
    );
    return call.stream
      ? streamReplyEvents({ response, decoder: sseFrames(), conversion: streamConversion, context, signal: call.signal })
      : jsonReplyEvents(response, convertResponse, context, call.signal);
  },
});
