// What Gemini sends back, validated leniently: every field may be missing or
// null, unknown fields are kept. One schema serves generateContent replies
// and each chunk of streamGenerateContent (they have the same shape).
// https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
import { z } from 'zod';

/** Vertex AI's streamed function-call arguments: one JSON-path value at a time. */
export const partialArgument = z
  .object({
    jsonPath: z.string().nullish(),
    stringValue: z.string().nullish(),
    numberValue: z.number().nullish(),
    boolValue: z.boolean().nullish(),
    nullValue: z.unknown().optional(),
    willContinue: z.boolean().nullish(),
  })
  .loose();
export type PartialArgument = z.infer<typeof partialArgument>;

export const functionCall = z
  .object({
    id: z.string().nullish(),
    name: z.string().nullish(),
    args: z.record(z.string(), z.unknown()).nullish(),
    partialArgs: z.array(partialArgument).nullish(),
    willContinue: z.boolean().nullish(),
  })
  .loose();
export type GeminiResponseFunctionCall = z.infer<typeof functionCall>;

export const responsePart = z
  .object({
    text: z.string().nullish(),
    thought: z.boolean().nullish(),
    thoughtSignature: z.string().nullish(),
    functionCall: functionCall.nullish(),
  })
  .loose();
export type GeminiResponsePart = z.infer<typeof responsePart>;

export const candidate = z
  .object({
    content: z.object({ parts: z.array(responsePart).nullish(), role: z.string().nullish() }).loose().nullish(),
    finishReason: z.string().nullish(),
    finishMessage: z.string().nullish(),
    index: z.number().int().nullish(),
  })
  .loose();

const modalityTokenCount = z.object({ modality: z.string().nullish(), tokenCount: z.number().nullish() }).loose();

export const usageMetadata = z
  .object({
    promptTokenCount: z.number().nullish(),
    candidatesTokenCount: z.number().nullish(),
    cachedContentTokenCount: z.number().nullish(),
    toolUsePromptTokenCount: z.number().nullish(),
    thoughtsTokenCount: z.number().nullish(),
    totalTokenCount: z.number().nullish(),
    // Per-modality splits of promptTokenCount and cachedContentTokenCount.
    promptTokensDetails: z.array(modalityTokenCount).nullish(),
    cacheTokensDetails: z.array(modalityTokenCount).nullish(),
  })
  .loose();
export type GeminiUsageMetadata = z.infer<typeof usageMetadata>;

/** google.rpc.Status, the error body of every Google API. */
export const rpcStatus = z
  .object({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(z.object({ '@type': z.string().nullish() }).loose()).nullish(),
  })
  .loose();
export type RpcStatus = z.infer<typeof rpcStatus>;

export const errorBody = z.object({ error: rpcStatus }).loose();

export const generateContentResponse = z
  .object({
    candidates: z.array(candidate).nullish(),
    promptFeedback: z
      .object({ blockReason: z.string().nullish(), blockReasonMessage: z.string().nullish() })
      .loose()
      .nullish(),
    usageMetadata: usageMetadata.nullish(),
    modelVersion: z.string().nullish(),
    responseId: z.string().nullish(),
    /** An error reported inside an otherwise successful stream. */
    error: rpcStatus.nullish(),
  })
  .loose();
export type GenerateContentResponse = z.infer<typeof generateContentResponse>;
