// A non-streaming Chat Completions reply → the same canonical events a stream
// of it would produce, so every consumer reads one shape.
import type { StreamEvent } from '../../streaming/events.ts';
import { malformedReply } from '../upstream-http.ts';
import { mapStreamError } from './error-mapping.ts';
import { splitContent } from './content-parts.ts';
import { convertFinishReason } from './finish-reason.ts';
import { upstreamResponse, type UpstreamCompletion } from './wire-schemas.ts';
import { convertUsage, type OpenaiConversionContext } from './usage.ts';

export function convertResponse(json: unknown, { provider, usageCounting }: OpenaiConversionContext): StreamEvent[] {
  const parsed = upstreamResponse.safeParse(json);
  if (!parsed.success) return [failure('a malformed response', provider)];
  const response = parsed.data;
  // Some hosts answer 200 with an error body.
  if (response.error != null) return [{ type: 'error', error: mapStreamError(response.error, provider) }];
  const choice = (response.choices ?? []).find((candidate) => (candidate.index ?? 0) === 0);
  if (choice === undefined) return [failure('a response with no choices', provider)];

  const events: StreamEvent[] = [start(response)];
  const message = choice.message;
  if (message != null) {
    const parts = splitContent(message.content);
    const reasoning = nonEmpty(message.reasoning) ?? nonEmpty(message.reasoning_content) ?? nonEmpty(parts.reasoning);
    if (reasoning !== undefined) events.push({ type: 'reasoning', text: reasoning, format: 'unknown', block: 0 });
    const content = nonEmpty(parts.text);
    if (content !== undefined) events.push({ type: 'text', text: content });
    const refusal = nonEmpty(message.refusal);
    if (refusal !== undefined) events.push({ type: 'refusal', text: refusal });
    (message.tool_calls ?? []).forEach((call, index) => {
      events.push({ type: 'tool-call-start', index, id: nonEmpty(call.id) ?? `call_${index}`, name: call.function?.name ?? '' });
      const args = nonEmpty(call.function?.arguments);
      if (args !== undefined) events.push({ type: 'tool-call-delta', index, arguments: args });
    });
  }
  // A complete JSON reply is a finished one even when a host leaves the reason out.
  const nativeReason = choice.finish_reason ?? null;
  events.push({
    type: 'finish',
    reason: nativeReason === null ? 'stop' : convertFinishReason(nativeReason),
    nativeReason,
    usage: response.usage != null ? convertUsage(response.usage, usageCounting) : undefined,
  });
  return events;
}

function start(response: UpstreamCompletion): StreamEvent {
  const event: StreamEvent = { type: 'start' };
  if (response.id != null) event.upstreamId = response.id;
  if (response.system_fingerprint != null) event.systemFingerprint = response.system_fingerprint;
  return event;
}

function failure(what: string, provider: string): StreamEvent {
  // Nothing was relayed yet, so another endpoint may still answer.
  return { type: 'error', error: malformedReply(provider, what) };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value == null || value === '' ? undefined : value;
}
