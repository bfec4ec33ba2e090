export { createSimulator, type Simulator, type SimulatorOptions, type SimulatorStats } from './simulator.ts';
export { SIMULATOR_HEADERS, type SimulatedFailure } from './behaviour.ts';
export { countPromptTokens } from './simulated-request.ts';
export type { ReplyOutcome, Sleep } from './paced-stream.ts';
