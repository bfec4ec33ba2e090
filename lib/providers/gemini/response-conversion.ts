// A whole generateContent reply → the same events a stream would give. Also
// reads streamGenerateContent without `alt=sse`, which is one JSON array of
// the same objects: we always ask for SSE, but a proxy or stand-in that
// answers with the array is read rather than misreported.
import type { StreamEvent } from '../../streaming/events.ts';
import { malformedReply } from '../upstream-http.ts';
import type { ConversionContext } from '../upstream-stream.ts';
import { endOfStream, stepChunk, streamConversion } from './stream-conversion.ts';
import { generateContentResponse } from './wire-schemas.ts';

/** Events for a JSON reply body: one GenerateContentResponse, or an array of them. */
export function convertResponse(json: unknown, context: ConversionContext): StreamEvent[] {
  let state = streamConversion.initial(context);
  const events: StreamEvent[] = [];
  for (const item of Array.isArray(json) ? json : [json]) {
    const parsed = generateContentResponse.safeParse(item);
    if (!parsed.success) return [...events, { type: 'error', error: malformedReply(context.provider, 'a reply that could not be read', parsed.error) }];
    const step = stepChunk(state, parsed.data, context);
    state = step.state;
    events.push(...step.events);
    if (state.phase === 'done') return events;
  }
  return [...events, ...endOfStream(state, context)];
}
