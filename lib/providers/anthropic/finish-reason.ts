// Anthropic's stop_reason → the unified finish reason; the native one is kept beside it.
// https://docs.anthropic.com/en/api/handling-stop-reasons
import type { FinishReason } from '../../streaming/events.ts';

export function convertFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    // pause_turn: a server tool loop paused; what was produced so far is a complete reply.
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
    default:
      return 'stop';
  }
}
