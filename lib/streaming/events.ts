// The one canonical stream-event type. Every provider adapter emits it; every
// consumer (SSE encoder, JSON assembler, billing meter, usage record) reads it.
import type { GatewayError } from '../api/errors.ts';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/**
 * Token counts as OpenRouter reports them. `promptTokens` is the whole input,
 * cache reads and writes included; `completionTokens` includes reasoning.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Input tokens read from the provider's prompt cache (part of promptTokens). */
  cachedTokens: number;
  /** Input tokens written to the provider's prompt cache (part of promptTokens). */
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning (part of completionTokens). */
  reasoningTokens: number;
  /** Of cacheWriteTokens, those written with a 1-hour TTL (Anthropic's `ephemeral_1h_input_tokens`); the rest have the default one. */
  cacheWrite1hTokens?: number;
  /** Audio input tokens (part of promptTokens). */
  audioPromptTokens?: number;
  /** Of audioPromptTokens, those read from the cache (part of cachedTokens too). */
  cachedAudioTokens?: number;
  /** Image input tokens, where a provider counts them apart (part of promptTokens). */
  imagePromptTokens?: number;
}

export const emptyUsage = (): Usage => ({
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

/** The wire format a reasoning detail came from (`reasoning_details[].format`). */
export type ReasoningFormat = 'anthropic-claude-v1' | 'google-gemini-v1' | 'openai-responses-v1' | 'unknown';

export type StreamEvent =
  /** Upstream metadata, emitted at most once and before any content. */
  | { type: 'start'; upstreamId?: string; systemFingerprint?: string }
  | { type: 'text'; text: string }
  /** Visible reasoning text; `block` groups deltas of one reasoning block. */
  | { type: 'reasoning'; text: string; format: ReasoningFormat; block: number }
  /** The signature that closes a reasoning block (Anthropic, Bedrock, Gemini thought signatures). */
  | { type: 'reasoning-signature'; signature: string; format: ReasoningFormat; block: number }
  /** Reasoning the provider returns only in encrypted or redacted form. */
  | { type: 'reasoning-encrypted'; data: string; format: ReasoningFormat; block: number }
  | { type: 'refusal'; text: string }
  /** A new tool call; `index` is its position among this response's tool calls. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; arguments: string }
  /**
   * The last event of a successful attempt: the unified and the provider's
   * own finish reason, and the usage the provider reported (undefined when it
   * reported none).
   */
  | { type: 'finish'; reason: FinishReason; nativeReason: string | null; usage: Usage | undefined }
  /** An in-band failure. Nothing follows it. */
  | { type: 'error'; error: GatewayError };

/** Events that count as content: the commit point is reached on the first of them. */
export function isContentEvent(event: StreamEvent): boolean {
  switch (event.type) {
    case 'text':
    case 'reasoning':
    case 'reasoning-signature':
    case 'reasoning-encrypted':
    case 'refusal':
    case 'tool-call-start':
    case 'tool-call-delta':
    case 'finish':
      return true;
    case 'start':
    case 'error':
      return false;
  }
}
