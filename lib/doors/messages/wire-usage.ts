// The canonical finish and usage → Anthropic's `stop_reason` and `usage`.
// https://docs.anthropic.com/en/api/handling-stop-reasons
import type { FinishReason, Usage } from '../../streaming/events.ts';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

const ANTHROPIC_STOP_REASONS: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

/**
 * A Claude upstream's own stop reason passes as it came (it alone tells a
 * stop sequence from the end of a turn); any other provider's is mapped from
 * the unified reason.
 */
export function stopReason(reason: FinishReason, nativeReason: string | null): StopReason {
  if (nativeReason !== null && ANTHROPIC_STOP_REASONS.has(nativeReason)) {
    const native = nativeReason as StopReason;
    // A native reason that disagrees with the unified one came from a wire that merely shares the word.
    if (unified(native) === reason) return native;
  }
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case 'error':
      return 'end_turn';
  }
}

function unified(reason: StopReason): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
  }
}

export interface MessagesUsage {
  /** Input after the last cache breakpoint: Anthropic counts cache reads and writes beside it. */
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export function messagesUsage(usage: Usage): MessagesUsage {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens: usage.completionTokens,
  };
}
