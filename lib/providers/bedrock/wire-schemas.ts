// What Bedrock sends back, validated leniently: unknown fields are kept and
// every field we do not strictly need may be missing.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
import { z } from 'zod';

const tokenCount = z.number().int().nonnegative().nullish();

export const bedrockUsage = z
  .object({
    inputTokens: tokenCount,
    outputTokens: tokenCount,
    totalTokens: tokenCount,
    cacheReadInputTokens: tokenCount,
    cacheWriteInputTokens: tokenCount,
    // Older spellings some responses still carry beside the current ones.
    cacheReadInputTokenCount: tokenCount,
    cacheWriteInputTokenCount: tokenCount,
  })
  .loose();
export type BedrockUsage = z.infer<typeof bedrockUsage>;

const reasoningDelta = z
  .object({ text: z.string().nullish(), signature: z.string().nullish(), redactedContent: z.string().nullish() })
  .loose();

const toolUseStart = z
  .object({ toolUseId: z.string(), name: z.string(), type: z.string().nullish() })
  .loose();

const payloads = {
  messageStart: z.object({ role: z.string().nullish() }).loose(),
  contentBlockStart: z
    .object({
      contentBlockIndex: z.number().int().nonnegative(),
      start: z.object({ toolUse: toolUseStart.nullish() }).loose().nullish(),
    })
    .loose(),
  contentBlockDelta: z
    .object({
      contentBlockIndex: z.number().int().nonnegative(),
      delta: z
        .object({
          text: z.string().nullish(),
          toolUse: z.object({ input: z.string().nullish() }).loose().nullish(),
          reasoningContent: reasoningDelta.nullish(),
        })
        .loose(),
    })
    .loose(),
  contentBlockStop: z.object({ contentBlockIndex: z.number().int().nonnegative() }).loose(),
  messageStop: z.object({ stopReason: z.string() }).loose(),
  metadata: z.object({ usage: bedrockUsage.nullish() }).loose(),
  exception: z.object({ message: z.string().nullish(), Message: z.string().nullish() }).loose(),
};

/** One decoded event-stream message: its `:event-type` (or exception type) and JSON payload. */
export interface EventStreamMessage {
  messageType: 'event' | 'exception' | 'error';
  type: string;
  payload: unknown;
}

export type ContentBlockDelta = z.infer<typeof payloads.contentBlockDelta>['delta'];

/** A ConverseStream event, validated: what the stream transform reads. */
export type ConverseStreamEvent =
  | { type: 'messageStart' }
  | { type: 'contentBlockStart'; index: number; toolUse: { id: string; name: string; serverSide: boolean } | undefined }
  | { type: 'contentBlockDelta'; index: number; delta: ContentBlockDelta }
  | { type: 'contentBlockStop'; index: number }
  | { type: 'messageStop'; stopReason: string }
  | { type: 'metadata'; usage: BedrockUsage | undefined }
  /** An exception inside the stream (`throttlingException`, `modelStreamErrorException`, …). */
  | { type: 'exception'; name: string; message: string | undefined }
  /** A known event whose payload does not have the documented shape. */
  | { type: 'malformed'; name: string }
  /** An event type this gateway does not know: newer API additions are skipped. */
  | { type: 'unknown'; name: string };

export function parseStreamEvent(message: EventStreamMessage): ConverseStreamEvent {
  if (message.messageType !== 'event' || /exception$/i.test(message.type)) {
    const parsed = payloads.exception.safeParse(message.payload);
    const text = parsed.success ? (parsed.data.message ?? parsed.data.Message ?? undefined) : undefined;
    return { type: 'exception', name: message.type, message: text };
  }
  const malformed = { type: 'malformed', name: message.type } as const;
  switch (message.type) {
    case 'messageStart': {
      return payloads.messageStart.safeParse(message.payload).success ? { type: 'messageStart' } : malformed;
    }
    case 'contentBlockStart': {
      const parsed = payloads.contentBlockStart.safeParse(message.payload);
      if (!parsed.success) return malformed;
      const toolUse = parsed.data.start?.toolUse;
      return {
        type: 'contentBlockStart',
        index: parsed.data.contentBlockIndex,
        toolUse: toolUse == null ? undefined : { id: toolUse.toolUseId, name: toolUse.name, serverSide: toolUse.type === 'server_tool_use' },
      };
    }
    case 'contentBlockDelta': {
      const parsed = payloads.contentBlockDelta.safeParse(message.payload);
      return parsed.success ? { type: 'contentBlockDelta', index: parsed.data.contentBlockIndex, delta: parsed.data.delta } : malformed;
    }
    case 'contentBlockStop': {
      const parsed = payloads.contentBlockStop.safeParse(message.payload);
      return parsed.success ? { type: 'contentBlockStop', index: parsed.data.contentBlockIndex } : malformed;
    }
    case 'messageStop': {
      const parsed = payloads.messageStop.safeParse(message.payload);
      return parsed.success ? { type: 'messageStop', stopReason: parsed.data.stopReason } : malformed;
    }
    case 'metadata': {
      const parsed = payloads.metadata.safeParse(message.payload);
      return parsed.success ? { type: 'metadata', usage: parsed.data.usage ?? undefined } : malformed;
    }
    default:
      return { type: 'unknown', name: message.type };
  }
}

const responseBlock = z
  .object({
    text: z.string().nullish(),
    toolUse: z
      .object({ toolUseId: z.string(), name: z.string(), input: z.unknown(), type: z.string().nullish() })
      .loose()
      .nullish(),
    reasoningContent: z
      .object({
        reasoningText: z.object({ text: z.string(), signature: z.string().nullish() }).loose().nullish(),
        redactedContent: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type ResponseBlock = z.infer<typeof responseBlock>;

/** The Converse (non-streaming) reply. */
export const converseResponse = z
  .object({
    output: z
      .object({ message: z.object({ role: z.string().nullish(), content: z.array(responseBlock) }).loose().nullish() })
      .loose(),
    stopReason: z.string(),
    usage: bedrockUsage.nullish(),
  })
  .loose();
export type ConverseResponse = z.infer<typeof converseResponse>;

/** Error bodies are `{"message": "…"}`; some AWS front ends spell it `Message`. */
export const errorBody = z.object({ message: z.string().nullish(), Message: z.string().nullish() }).loose();
