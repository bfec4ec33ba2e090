// Which byte-pair encodings Switchyard can count tokens with. The catalog
// names one per model; lib/tokens loads it on first use. This file imports
// nothing, so the catalog can validate names without loading any ranks.

/**
 * OpenAI's public encodings, as tiktoken names them:
 * `o200k_base` for GPT-4o, GPT-4.1, GPT-5 and the o-series;
 * `cl100k_base` for GPT-4, GPT-3.5 and many OpenAI-compatible hosts' older models.
 */
export const tokenEncodingNames = ['o200k_base', 'cl100k_base'] as const;
export type TokenEncodingName = (typeof tokenEncodingNames)[number];

/**
 * The encoding for a model whose catalog entry names none. For Claude,
 * Gemini, Llama, Mistral, Nova and the rest it is an approximation: their own
 * tokenizers are not available here, so a count can differ from the one the
 * provider would have reported (most for text that is not English).
 */
export const FALLBACK_TOKEN_ENCODING: TokenEncodingName = 'o200k_base';
