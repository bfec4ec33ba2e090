// Gemini's finishReason → the unified finish reason. Gemini says STOP for a
// turn that ended in function calls too; the caller expects `tool_calls`.
// https://ai.google.dev/api/generate-content#FinishReason
import type { FinishReason } from '../../streaming/events.ts';

const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

export function convertFinishReason(native: string, emittedToolCalls: boolean): FinishReason {
  if (native === 'MAX_TOKENS') return 'length';
  if (contentFilterReasons.has(native)) return 'content_filter';
  // MALFORMED_FUNCTION_CALL and other oddities end the turn without output to
  // act on; OpenRouter reports them as a stop and keeps the native reason.
  if (native === 'STOP' && emittedToolCalls) return 'tool_calls';
  return 'stop';
}
