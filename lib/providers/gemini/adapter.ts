// The Gemini API adapter: POST /v1beta/models/{model}:streamGenerateContent?alt=sse
// (or :generateContent), key in `x-goog-api-key`.
// https://ai.google.dev/api/generate-content
import { GatewayError } from '../../api/errors.ts';
import { decodeSse } from '../../streaming/sse-decode.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import type { ProviderAdapter, ProviderCall, UpstreamResponse } from '../types.ts';
import { readErrorBody, sendUpstream, upstreamHeaders } from '../upstream-http.ts';
import { geminiError, parseRpcStatus } from './error-mapping.ts';
import { toGeminiRequest } from './request-conversion.ts';
import { responseEvents, unreadableReply } from './response-conversion.ts';
import { generateContentResponse } from './response-schema.ts';
import { createStreamTransform } from './stream-transform.ts';

export function geminiUrl(baseUrl: string, upstreamModel: string, stream: boolean): string {
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${baseUrl.replace(/\/+$/, '')}/v1beta/models/${upstreamModel}:${method}`;
}

export const geminiAdapter: ProviderAdapter = {
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const { provider, upstreamModel } = call.endpoint;
    const body = toGeminiRequest(call);
    const headers = upstreamHeaders(provider.headers, {
      'content-type': 'application/json',
      ...(call.credential === undefined ? {} : { 'x-goog-api-key': call.credential }),
    });
    const response = await sendUpstream(
      call.fetch,
      geminiUrl(provider.baseUrl, upstreamModel, call.stream),
      { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal },
      provider.name,
    );
    if (!response.ok) {
      const text = await readErrorBody(response);
      throw geminiError({ httpStatus: response.status, status: parseRpcStatus(text), provider: provider.name, headers: response.headers });
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (call.stream && response.body !== null && !contentType.startsWith('application/json')) {
      return sseEvents(response.body, provider.name, call.signal);
    }
    return jsonEvents(response, provider.name, call.signal);
  },
};

async function* sseEvents(body: ReadableStream<Uint8Array>, provider: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  const transform = createStreamTransform({ provider });
  try {
    for await (const message of decodeSse(body)) {
      const data = message.data.trim();
      if (data === '' || data === '[DONE]') continue;
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch (error) {
        yield* transform.fail(unreadableReply(provider, error));
        return;
      }
      const chunk = generateContentResponse.safeParse(json);
      yield* chunk.success ? transform.push(chunk.data) : transform.fail(unreadableReply(provider, chunk.error));
      if (transform.done) return;
    }
  } catch (error) {
    yield* transform.fail(lostConnection(provider, signal, error));
    return;
  } finally {
    // Stop the upstream when we stop early (an error, or the consumer went away).
    await body.cancel().catch(() => undefined);
  }
  yield* transform.end();
}

async function* jsonEvents(response: UpstreamResponse, provider: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    yield* createStreamTransform({ provider }).fail(lostConnection(provider, signal, error));
    return;
  }
  yield* responseEvents(text, provider);
}

function lostConnection(provider: string, signal: AbortSignal, cause: unknown): GatewayError {
  if (signal.aborted) {
    return new GatewayError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause });
  }
  return new GatewayError({
    status: 502,
    type: 'provider_unavailable',
    message: 'Connection to the provider was lost mid-reply',
    retryable: true,
    provider,
    cause,
  });
}
