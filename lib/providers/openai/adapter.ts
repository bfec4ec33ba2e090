// The adapter for OpenAI and every OpenAI-compatible host (Groq, Together,
// Mistral, vLLM, Ollama, OpenRouter, the simulator): POST
// {baseUrl}/chat/completions; an Azure OpenAI resource (the provider's
// `azure` entry) by its deployment or v1 route with the `api-key` header.
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
        url: chatUrl(call),
        headers: requestHeaders(call),
        body: requestBody(call),
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

/** Where the chat request goes: `{baseUrl}/chat/completions`, or an Azure OpenAI resource's route. */
function chatUrl(call: ProviderCall): string {
  const { provider, upstreamModel } = call.endpoint;
  const azure = provider.azure;
  const path = azure?.route === 'deployments' ? `/deployments/${encodeURIComponent(upstreamModel)}/chat/completions` : '/chat/completions';
  const url = upstreamUrl(provider.baseUrl, path);
  return azure?.apiVersion === undefined ? url : `${url}?api-version=${encodeURIComponent(azure.apiVersion)}`;
}

function requestBody(call: ProviderCall): object {
  const body = convertRequest(call);
  // An Azure deployment is the model: its route takes none in the body.
  if (call.endpoint.provider.azure?.route !== 'deployments') return body;
  const { model: _deployment, ...rest } = body;
  return rest;
}

function requestHeaders(call: ProviderCall): Record<string, string> {
  const key = call.credential;
  const credential: Record<string, string> =
    key === undefined || key === '' ? {} : call.endpoint.provider.azure !== undefined ? { 'api-key': key } : { authorization: `Bearer ${key}` };
  return upstreamHeaders(call.endpoint.provider.headers, {
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
    ...credential,
  });
}
