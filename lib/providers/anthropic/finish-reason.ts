// Anthropic's stop_reason → the unified finish reason: the Messages wire is
// modelled once (lib/wires/anthropic-messages.ts), shared with the Messages
// door and the simulator.
export { convertFinishReason } from '../../wires/anthropic-messages.ts';
