// What we send to Bedrock's Converse and ConverseStream APIs: plain types.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html

export interface CachePoint {
  cachePoint: { type: 'default'; ttl?: '5m' | '1h' };
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** Bytes travel base64-encoded in the JSON protocol. */
export interface ImageBlock {
  image: { format: ImageFormat; source: { bytes: string } };
}

export interface TextBlock {
  text: string;
}

export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export interface ToolResultBlock {
  toolResult: { toolUseId: string; content: (TextBlock | ImageBlock)[]; status?: 'success' | 'error' };
}

export type ReasoningBlock =
  | { reasoningContent: { reasoningText: { text: string; signature?: string } } }
  | { reasoningContent: { redactedContent: string } };

export type UserContentBlock = TextBlock | ImageBlock | ToolResultBlock | CachePoint;
export type AssistantContentBlock = ReasoningBlock | TextBlock | ToolUseBlock | CachePoint;

export type ConverseMessage =
  | { role: 'user'; content: UserContentBlock[] }
  | { role: 'assistant'; content: AssistantContentBlock[] };

export type SystemBlock = TextBlock | CachePoint;

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ToolConfig {
  tools: (ToolSpec | CachePoint)[];
  toolChoice?: ToolChoice;
}

export interface InferenceConfig {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** Anthropic's extended thinking, passed through to Claude models. */
export interface ClaudeThinking {
  thinking: { type: 'enabled'; budget_tokens: number };
}

export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: SystemBlock[];
  inferenceConfig: InferenceConfig;
  toolConfig?: ToolConfig;
  additionalModelRequestFields?: ClaudeThinking;
}
