// The adapter for OpenAI and every OpenAI-compatible host (Groq, Together,
// Mistral, vLLM, Ollama, the simulator): POST {baseUrl}/chat/completions.
// It only wires this folder's conversions to the shared HTTP layer.
import type { StreamEvent } from '../../streaming/events.ts';
import type { CreateAdapter, ProviderCall } from '../types.ts';
import { postJson, upstreamHeaders, upstreamUrl } from '../upstream-http.ts';
import { isJsonReply, jsonReplyEvents, sseFrames, streamReplyEvents } from '../upstream-stream.ts';
import { mapErrorReply } from './error-mapping.ts';
import { convertRequest } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { streamConversion } from './stream-conversion.ts';
import type { OpenaiConversionContext } from './usage.ts';

export const createAdapter: CreateAdapter = () => ({
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const provider = call.endpoint.provider;
    const context: OpenaiConversionContext = { provider: provider.name, usageCounting: provider.usageCounting };
    const response = await postJson(
      {
        fetch: call.fetch,
        url: upstreamUrl(provider.baseUrl, '/chat/completions'),
        headers: requestHeaders(call),
        body: convertRequest(call),
        signal: call.signal,
        provider: provider.name,
      },
      mapErrorReply,
    );
    // A host that ignores `stream: true` answers with a whole JSON reply.
    return call.stream && !isJsonReply(response)
      ? streamReplyEvents({ response, decoder: sseFrames(), conversion: streamConversion, context, signal: call.signal })
      : jsonReplyEvents(response, convertResponse, context, call.signal);
  },
});

function requestHeaders(call: ProviderCall): Record<string, string> {
  return upstreamHeaders(call.endpoint.provider.headers, {
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
    ...(call.credential !== undefined && call.credential !== '' ? { authorization: `Bearer ${call.credential}` } : {}),
  });
}
