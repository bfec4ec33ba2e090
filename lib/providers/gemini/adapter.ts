// The Gemini API adapter: POST /v1beta/models/{model}:streamGenerateContent?alt=sse
// (or :generateContent), key in `x-goog-api-key`. It only wires this
// folder's conversions to the shared HTTP layer.
// https://ai.google.dev/api/generate-content
import type { StreamEvent } from '../../streaming/events.ts';
import type { CreateAdapter, ProviderCall } from '../types.ts';
import { postJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { isJsonReply, jsonReplyEvents, sseFrames, streamReplyEvents } from '../upstream-stream.ts';
import { mapErrorReply } from './error-mapping.ts';
import { convertRequest } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { streamConversion } from './stream-conversion.ts';

export function geminiUrl(baseUrl: string, upstreamModel: string, stream: boolean): string {
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return upstreamUrl(baseUrl, `/v1beta/models/${upstreamModel}:${method}`);
}

export const createAdapter: CreateAdapter = () => ({
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const { provider, upstreamModel } = call.endpoint;
    const context = { provider: provider.name };
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      ...(call.credential === undefined ? {} : { 'x-goog-api-key': call.credential }),
    });
    const response = await postJson(
      { fetch: call.fetch, url: geminiUrl(provider.baseUrl, upstreamModel, call.stream), headers, body: convertRequest(call), signal: call.signal, provider: provider.name },
      mapErrorReply,
    );
    return call.stream && !isJsonReply(response)
      ? streamReplyEvents({ response, decoder: sseFrames(), conversion: streamConversion, context, signal: call.signal })
      : jsonReplyEvents(response, convertResponse, context, call.signal);
  },
});
