// A Converse (non-streaming) reply as the same canonical events a stream
// would produce, so every consumer reads one shape.
import type { StreamEvent } from '../../streaming/events.ts';
import { malformedReply } from '../upstream-http.ts';
import { convertFinishReason } from './finish-reason.ts';
import type { BedrockConversionContext } from './stream-conversion.ts';
import { converseResponse } from './wire-schemas.ts';
import { convertUsage } from './usage.ts';

export function convertResponse(json: unknown, options: BedrockConversionContext): StreamEvent[] {
  const parsed = converseResponse.safeParse(json);
  if (!parsed.success) return [{ type: 'error', error: malformedReply(options.provider, 'a malformed response', parsed.error) }];
  const response = parsed.data;
  const events: StreamEvent[] = [options.upstreamId === undefined ? { type: 'start' } : { type: 'start', upstreamId: options.upstreamId }];
  const format = options.reasoningFormat;
  let toolIndex = 0;
  let reasoningBlock = 0;
  for (const block of response.output.message?.content ?? []) {
    if (block.text != null && block.text !== '') events.push({ type: 'text', text: block.text });
    const reasoning = block.reasoningContent;
    if (reasoning?.reasoningText != null) {
      const { text, signature } = reasoning.reasoningText;
      if (text !== '') events.push({ type: 'reasoning', text, format, block: reasoningBlock });
      if (signature != null && signature !== '') events.push({ type: 'reasoning-signature', signature, format, block: reasoningBlock });
      reasoningBlock++;
    } else if (reasoning?.redactedContent != null) {
      events.push({ type: 'reasoning-encrypted', data: reasoning.redactedContent, format, block: reasoningBlock });
      reasoningBlock++;
    }
    const toolUse = block.toolUse;
    // Server-side tools (Nova's code interpreter) ran on Bedrock: nothing for the caller to run.
    if (toolUse != null && toolUse.type !== 'server_tool_use') {
      const index = toolIndex++;
      events.push({ type: 'tool-call-start', index, id: toolUse.toolUseId, name: toolUse.name });
      events.push({ type: 'tool-call-delta', index, arguments: JSON.stringify(toolUse.input ?? {}) });
    }
  }
  events.push({
    type: 'finish',
    reason: convertFinishReason(response.stopReason),
    nativeReason: response.stopReason,
    usage: response.usage == null ? undefined : convertUsage(response.usage),
  });
  return events;
}
