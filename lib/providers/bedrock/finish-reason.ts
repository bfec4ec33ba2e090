// Bedrock's stopReason as the unified finish reason.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
import type { FinishReason } from '../../streaming/events.ts';

export function convertFinishReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      // The model produced something Bedrock could not parse: no usable answer.
      return 'error';
    default:
      // A reason newer than this map: the raw value still travels as nativeReason.
      return 'stop';
  }
}
