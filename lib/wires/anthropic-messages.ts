// Anthropic's Messages wire, where more than one part speaks it: the
// Anthropic adapter reads it, the Messages door writes it, the simulator
// serves it. Its stop reasons and usage counts are modelled here once.
// https://docs.anthropic.com/en/api/handling-stop-reasons
import type { FinishReason, Usage } from '../streaming/events.ts';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

const STOP_REASONS: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

export function isStopReason(value: string): value is StopReason {
  return STOP_REASONS.has(value);
}

/** Anthropic's stop_reason → the unified finish reason; the native one is kept beside it. */
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

/**
 * The unified finish → the stop_reason to send. A Claude upstream's own stop
 * reason passes as it came (it alone tells a stop sequence from the end of a
 * turn); any other provider's is mapped from the unified reason.
 */
export function stopReason(reason: FinishReason, nativeReason: string | null): StopReason {
  // A native reason that disagrees with the unified one came from a wire that merely shares the word.
  if (nativeReason !== null && isStopReason(nativeReason) && convertFinishReason(nativeReason) === reason) return nativeReason;
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

/** The usage counts of a Message: `input_tokens` is the input after the last cache breakpoint, cache reads and writes are counted beside it. */
export interface MessagesUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** Canonical usage (prompt tokens include the cache's) → the Messages wire's counts. */
export function messagesUsage(usage: Usage): MessagesUsage {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens: usage.completionTokens,
  };
}

/**
 * Messages has no `json_object` format: the gateway asks for one with this
 * system instruction, and the simulator answers it as Claude does, with a
 * JSON object.
 */
export const JSON_OBJECT_INSTRUCTION = 'Respond only with a valid JSON object, without any other text.';
