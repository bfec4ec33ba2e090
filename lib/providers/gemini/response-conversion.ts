// A whole generateContent reply → the same events a stream would give. Also
// reads streamGenerateContent without `alt=sse`, which is one JSON array of
// the same objects: we always ask for SSE, but a proxy or stand-in that
// answers with the array is read rather than misreported.
import { GatewayError } from '../../api/errors.ts';
import type { StreamEvent } from '../../streaming/events.ts';
import { generateContentResponse } from './response-schema.ts';
import { createStreamTransform } from './stream-transform.ts';

export function unreadableReply(provider: string, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'provider_unavailable',
    message: 'Provider returned a reply that could not be read',
    retryable: true,
    provider,
    cause,
  });
}

/** Events for a JSON reply body: one GenerateContentResponse, or an array of them. */
export function responseEvents(body: string, provider: string): StreamEvent[] {
  const transform = createStreamTransform({ provider });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return transform.fail(unreadableReply(provider, error));
  }
  const events: StreamEvent[] = [];
  for (const item of Array.isArray(json) ? json : [json]) {
    const parsed = generateContentResponse.safeParse(item);
    if (!parsed.success) return [...events, ...transform.fail(unreadableReply(provider, parsed.error))];
    events.push(...transform.push(parsed.data));
  }
  return [...events, ...transform.end()];
}
