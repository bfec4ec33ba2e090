// What the simulator needs from a request, whichever wire it came in on.
// Each wire's parser fills it; the reply plan reads only this.

export interface SimulatedTool {
  name: string;
  /** The tool's JSON schema, as the request gave it. */
  parameters: unknown;
}

export type SimulatedToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

/** The reply must be JSON: any object (`json_object`), or one valid against a JSON schema (`json_schema`). */
export type SimulatedResponseFormat = { type: 'json-object' } | { type: 'json-schema'; schema: unknown };

/** How the conversation ends: a user turn may get a tool call, a tool result gets text. */
export type LastTurn = 'user' | 'tool-result' | 'other';

export interface SimulatedRequest {
  /** The model the request named, echoed in the reply. */
  model: string;
  stream: boolean;
  /** The request's output cap, when it set one. */
  maxTokens: number | undefined;
  /** Every piece of message text (system prompt, messages, tool calls and results): counted and used as the seed. */
  texts: readonly string[];
  tools: readonly SimulatedTool[];
  toolChoice: SimulatedToolChoice;
  lastTurn: LastTurn;
  /** OpenAI's `stream_options.include_usage`; the other wires always report usage. */
  includeUsage: boolean;
  /** Structured output the request asked for (OpenAI's `response_format`, Anthropic's `output_config.format`, Gemini's `responseMimeType`). */
  responseFormat?: SimulatedResponseFormat;
  /** Anthropic's `thinking` was enabled: that wire answers with a thinking block first. */
  thinking?: boolean;
}

/**
 * The simulator's prompt-token count: ceil(characters / 4) over all message
 * text, characters being Unicode code points. Deterministic, so a test can
 * predict the usage a simulated provider reports.
 */
export function countPromptTokens(texts: readonly string[]): number {
  let characters = 0;
  for (const text of texts) {
    for (const _character of text) characters++;
  }
  return Math.ceil(characters / 4);
}
