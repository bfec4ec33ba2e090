// A complete (non-streaming) Anthropic Message → the same canonical events a
// stream of it would give.
import type { StreamEvent } from '../../streaming/events.ts';
import { malformedReply } from '../upstream-http.ts';
import type { ConversionContext } from '../upstream-stream.ts';
import { convertFinishReason } from './finish-reason.ts';
import { ANTHROPIC_REASONING_FORMAT } from './message-conversion.ts';
import { convertUsage } from './usage.ts';
import { messageResponse, parseContentBlock } from './wire-schemas.ts';

const format = ANTHROPIC_REASONING_FORMAT;

/** Events for a Message body (already parsed JSON); a body that is not a Message gives one `error` event. */
export function convertResponse(body: unknown, { provider }: ConversionContext): StreamEvent[] {
  const parsed = messageResponse.safeParse(body);
  if (!parsed.success) return [{ type: 'error', error: malformedReply(provider, 'a reply that is not a Message') }];
  const message = parsed.data;
  const events: StreamEvent[] = [message.id != null ? { type: 'start', upstreamId: message.id } : { type: 'start' }];
  let toolIndex = 0;
  for (const [index, raw] of message.content.entries()) {
    const block = parseContentBlock(raw);
    if (block === undefined) return [{ type: 'error', error: malformedReply(provider, `a malformed content[${index}]`) }];
    switch (block.type) {
      case 'text':
        if (block.text != null && block.text !== '') events.push({ type: 'text', text: block.text });
        break;
      case 'thinking':
        if (block.thinking != null && block.thinking !== '') events.push({ type: 'reasoning', text: block.thinking, format, block: index });
        if (block.signature != null && block.signature !== '') {
          events.push({ type: 'reasoning-signature', signature: block.signature, format, block: index });
        }
        break;
      case 'redacted_thinking':
        events.push({ type: 'reasoning-encrypted', data: block.data, format, block: index });
        break;
      case 'tool_use':
        events.push(
          { type: 'tool-call-start', index: toolIndex, id: block.id, name: block.name },
          { type: 'tool-call-delta', index: toolIndex, arguments: JSON.stringify(block.input ?? {}) },
        );
        toolIndex += 1;
        break;
      case 'other':
        break;
    }
  }
  const stopReason = message.stop_reason ?? null;
  events.push({
    type: 'finish',
    reason: convertFinishReason(stopReason),
    nativeReason: stopReason,
    usage: message.usage != null ? convertUsage(message.usage) : undefined,
  });
  return events;
}
