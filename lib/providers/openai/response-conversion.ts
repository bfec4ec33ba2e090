// A non-streaming Chat Completions reply → the same canonical events a stream
// of it would produce, so every consumer reads one shape.
import { GatewayError } from '../../api/errors.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { mapInBandError } from './error-mapping.ts';
import { mapFinishReason } from './finish-reason.ts';
import { parseJson, upstreamResponse, type UpstreamCompletion } from './upstream-schemas.ts';
import { convertUsage } from './usage.ts';

export function convertResponse(text: string, provider: string): StreamEvent[] {
  const json = parseJson(text);
  const parsed = json.ok ? upstreamResponse.safeParse(json.value) : undefined;
  if (parsed === undefined || !parsed.success) return [failure('Upstream sent a malformed response', provider)];
  const response = parsed.data;
  // Some hosts answer 200 with an error body.
  if (response.error != null) return [{ type: 'error', error: mapInBandError(response.error, provider) }];
  const choice = (response.choices ?? []).find((candidate) => (candidate.index ?? 0) === 0);
  if (choice === undefined) return [failure('Upstream response has no choices', provider)];

  const events: StreamEvent[] = [start(response)];
  const message = choice.message;
  if (message != null) {
    const reasoning = nonEmpty(message.reasoning) ?? nonEmpty(message.reasoning_content);
    if (reasoning !== undefined) events.push({ type: 'reasoning', text: reasoning, format: 'unknown', block: 0 });
    const content = nonEmpty(
      Array.isArray(message.content) ? message.content.map((part) => part.text ?? '').join('') : message.content,
    );
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
    reason: nativeReason === null ? 'stop' : mapFinishReason(nativeReason),
    nativeReason,
    usage: response.usage != null ? convertUsage(response.usage) : undefined,
  });
  return events;
}

function start(response: UpstreamCompletion): StreamEvent {
  const event: StreamEvent = { type: 'start' };
  if (response.id != null) event.upstreamId = response.id;
  if (response.system_fingerprint != null) event.systemFingerprint = response.system_fingerprint;
  return event;
}

function failure(message: string, provider: string): StreamEvent {
  // Nothing was relayed yet, so another endpoint may still answer.
  return { type: 'error', error: new GatewayError({ status: 502, type: 'provider_unavailable', message, retryable: true, provider }) };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value == null || value === '' ? undefined : value;
}
