// The adapter for OpenAI and every OpenAI-compatible host (Groq, Together,
// Mistral, vLLM, Ollama, the simulator): POST {baseUrl}/chat/completions.
import { GatewayError } from '../../api/errors.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { createSseDecoder } from '../../streaming/sse-decode.ts';
import type { ProviderAdapter, ProviderCall, UpstreamResponse } from '../types.ts';
import { readErrorBody, sendUpstream, upstreamHeaders } from '../upstream-http.ts';
import { mapErrorReply } from './error-mapping.ts';
import { buildUpstreamBody } from './request-conversion.ts';
import { convertResponse } from './response-conversion.ts';
import { initialStreamState, stepStream } from './stream-transform.ts';

export const openaiAdapter: ProviderAdapter = {
  async send(call: ProviderCall): Promise<AsyncIterable<StreamEvent>> {
    const provider = call.endpoint.provider;
    const response = await sendUpstream(
      call.fetch,
      `${provider.baseUrl.replace(/\/+$/, '')}/chat/completions`,
      { method: 'POST', headers: requestHeaders(call), body: JSON.stringify(buildUpstreamBody(call)), signal: call.signal },
      provider.name,
    );
    if (!response.ok) {
      const body = await readErrorBody(response);
      throw mapErrorReply({ status: response.status, headers: response.headers, body }, provider.name);
    }
    // A host that ignores `stream: true` answers with a whole JSON reply.
    const json = (response.headers.get('content-type') ?? '').includes('application/json');
    return call.stream && !json && response.body !== null
      ? streamEvents(response.body, call.signal, provider.name)
      : jsonEvents(response, call.signal, provider.name);
  },
};

function requestHeaders(call: ProviderCall): Record<string, string> {
  return upstreamHeaders(call.endpoint.provider.headers, {
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
    ...(call.credential !== undefined && call.credential !== '' ? { authorization: `Bearer ${call.credential}` } : {}),
  });
}

/**
 * The body's SSE messages → canonical events, every message of one network
 * read handled in one go (an upstream read often carries many chunks).
 */
async function* streamEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  provider: string,
): AsyncGenerator<StreamEvent> {
  let state = initialStreamState;
  const decoder = createSseDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        yield { type: 'error', error: bodyFailure(error, signal, provider) };
        return;
      }
      for (const message of read.done ? decoder.end() : decoder.feed(read.value)) {
        const step = stepStream(state, { kind: 'data', data: message.data }, provider);
        state = step.state;
        for (const event of step.events) yield event;
        if (state.phase === 'closed') return;
      }
      if (read.done) break;
    }
    for (const event of stepStream(state, { kind: 'end' }, provider).events) yield event;
  } finally {
    // Stopped early (finished, failed, or the consumer left): free the connection.
    await reader.cancel().catch(() => undefined);
  }
}

async function* jsonEvents(response: UpstreamResponse, signal: AbortSignal, provider: string): AsyncGenerator<StreamEvent> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    yield { type: 'error', error: bodyFailure(error, signal, provider) };
    return;
  }
  yield* convertResponse(text, provider);
}

/** The body broke off: the connection dropped, or the call was aborted. */
function bodyFailure(cause: unknown, signal: AbortSignal, provider: string): GatewayError {
  if (signal.aborted) {
    return new GatewayError({ status: 408, type: 'timeout', message: 'Upstream request aborted', retryable: true, provider, cause });
  }
  return new GatewayError({
    status: 502,
    type: 'provider_unavailable',
    message: 'Upstream connection dropped mid-stream',
    retryable: true,
    provider,
    cause,
  });
}
