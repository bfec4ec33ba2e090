// What Switchyard sends to the Gemini API (POST /v1beta/models/{model}:generateContent
// and :streamGenerateContent?alt=sse): plain types, since we build these values ourselves.
// https://ai.google.dev/api/generate-content

export interface GeminiFunctionCall {
  name: string;
  args: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
}

/** One part of a content. Exactly one of the data fields is set. */
export type GeminiPart = (
  | { text: string; thought?: boolean }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: GeminiFunctionCall }
  | { functionResponse: GeminiFunctionResponse }
) & {
  /** Opaque; must come back on the part it arrived on (Gemini 3 rejects function calls without it). */
  thoughtSignature?: string;
};

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** A subset of OpenAPI 3.0 schema objects, as function declarations accept them. */
export type GeminiSchema = Record<string, unknown>;

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
}

export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

export interface GeminiToolConfig {
  functionCallingConfig: {
    mode: 'AUTO' | 'ANY' | 'NONE';
    allowedFunctionNames?: string[];
  };
}

export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** Full JSON Schema (the alternative to the OpenAPI-subset `responseSchema`). */
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig: GeminiGenerationConfig;
}
