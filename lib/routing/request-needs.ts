// What a request needs from an endpoint: the parameters it uses (for
// `require_parameters`), the capabilities it cannot do without (tools,
// input modalities) and its size (context length, output cap).
import type { ChatRequest, ContentPart } from '../api/chat-request.ts';
import type { SupportedParameter } from '../catalog/schema.ts';

export type InputModality = 'image' | 'audio' | 'video' | 'file';

/** What the caller wants back: text (chat, completions) or vectors (embeddings). */
export type OutputModality = 'text' | 'embeddings';

/** A parameter the request uses, satisfied by any of its `anyOf` entries. */
export interface ParameterNeed {
  name: SupportedParameter;
  anyOf: readonly SupportedParameter[];
}

export interface RequestNeeds {
  parameters: ParameterNeed[];
  tools: boolean;
  modalities: InputModality[];
  promptTokens: number;
  maxTokens: number | undefined;
  output: OutputModality;
}

/** Parameters that satisfy one another: OpenRouter treats each group as one feature. */
const equivalents: Partial<Record<SupportedParameter, readonly SupportedParameter[]>> = {
  max_tokens: ['max_tokens', 'max_completion_tokens'],
  max_completion_tokens: ['max_completion_tokens', 'max_tokens'],
  reasoning: ['reasoning', 'reasoning_effort', 'include_reasoning'],
  reasoning_effort: ['reasoning_effort', 'reasoning'],
  include_reasoning: ['include_reasoning', 'reasoning'],
};

const plainParameters = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'top_a',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'prediction',
  'seed',
  'stop',
  'tool_choice',
  'parallel_tool_calls',
  'verbosity',
] as const satisfies readonly (keyof ChatRequest & SupportedParameter)[];

const partModality: Record<ContentPart['type'], InputModality | undefined> = {
  text: undefined,
  image_url: 'image',
  input_audio: 'audio',
  video_url: 'video',
  input_video: 'video',
  file: 'file',
};

export function requestNeeds(request: ChatRequest, promptTokens: number, output: OutputModality = 'text'): RequestNeeds {
  const used = new Set<SupportedParameter>(plainParameters.filter((name) => request[name] != null));
  // The resolved aliases: one need each, whichever spelling the caller used.
  if (request.maxOutputTokens !== undefined) used.add('max_tokens');
  const { reasoning } = request;
  if (reasoning.effort !== undefined && reasoning.effort !== 'none') used.add('reasoning_effort');
  else if (reasoning.mode !== 'default' || reasoning.exclude) used.add('reasoning');
  // Not a field of the chat wire: OpenRouter's web search options arrive as an extra.
  if (request.extras.web_search_options != null) used.add('web_search_options');
  const tools = (request.tools?.length ?? 0) > 0;
  if (tools) used.add('tools');
  if (request.response_format !== undefined && request.response_format.type !== 'text') used.add('response_format');
  if (request.response_format?.type === 'json_schema') used.add('structured_outputs');
  return {
    parameters: [...used].map((name) => ({ name, anyOf: equivalents[name] ?? [name] })),
    tools,
    modalities: inputModalities(request),
    promptTokens,
    maxTokens: request.maxOutputTokens,
    output,
  };
}

function inputModalities(request: ChatRequest): InputModality[] {
  const found = new Set<InputModality>();
  for (const message of request.messages) {
    if (!('content' in message) || !Array.isArray(message.content)) continue;
    for (const part of message.content) {
      const modality = partModality[part.type];
      if (modality !== undefined) found.add(modality);
    }
  }
  return [...found];
}
