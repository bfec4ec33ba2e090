// OpenAI finish reasons → the unified vocabulary. Hosts invent their own
// (`eos`, `end_turn`, `abort`); those read as a normal stop and the native
// value travels on in `nativeReason`.
import type { FinishReason } from '../../streaming/events.ts';

export function convertFinishReason(native: string): FinishReason {
  switch (native) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return native;
    // The pre-tools name of the same thing.
    case 'function_call':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
