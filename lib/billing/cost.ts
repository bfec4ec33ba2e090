// Prices are decimal strings of USD per million tokens, which is exactly
// micro-dollars (µ$) per token. Costs are computed in integers scaled by 10^6
// (pico-dollars) and rounded up to a whole µ$ once, at the end: no float ever
// touches money (DESIGN decision 2).
import type { PriceTier, Pricing } from '../catalog/schema.ts';
import type { Usage } from '../streaming/events.ts';

const SCALE = 1_000_000n;

/** "0.075" → 75000n: the price in pico-dollars per token. */
export function picoPerToken(price: string): bigint {
  const [whole = '0', fraction = ''] = price.split('.');
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

const ceilDiv = (value: bigint, divisor: bigint): bigint => (value + divisor - 1n) / divisor;

export interface CostBreakdown {
  /** Everything charged for the input, in µ$ (rounded up). */
  promptMicros: number;
  /** Everything charged for the output, in µ$ (rounded up). */
  completionMicros: number;
  /** The total, rounded up once from the exact sum. */
  totalMicros: number;
}

type TieredKey = Exclude<keyof PriceTier, 'abovePromptTokens'>;

/** Each token price in pico-dollars per token, the tier for this prompt size applied. */
type ResolvedPrices = Record<TieredKey, bigint | undefined>;

const tieredKeys: readonly TieredKey[] = ['prompt', 'completion', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'reasoning', 'audio', 'audioCacheRead', 'image'];

/**
 * The prices a request of `promptTokens` pays. A tier applies to the whole
 * request once the prompt is larger than its threshold (as Anthropic, Google
 * and OpenAI bill long contexts, and as @pydantic/genai-prices computes it).
 */
export function pricesFor(pricing: Pricing, promptTokens: number): ResolvedPrices {
  const prices = {} as ResolvedPrices;
  for (const key of tieredKeys) {
    const base = pricing[key];
    prices[key] = base === undefined ? undefined : picoPerToken(base);
  }
  for (const tier of pricing.tiers ?? []) {
    if (promptTokens <= tier.abovePromptTokens) break;
    for (const key of tieredKeys) {
      const price = tier[key];
      if (price !== undefined) prices[key] = picoPerToken(price);
    }
  }
  return prices;
}

const count = (value: number | undefined): bigint => BigInt(Math.max(0, value ?? 0));

/**
 * The cost of a finished request at an endpoint's prices. The prompt's
 * tokens are split into disjoint parts (audio and image input, cache reads,
 * cache writes by TTL, the rest) and each part is charged at the most
 * specific price the endpoint has for it; reasoning tokens likewise within
 * the output. A count a provider reports inconsistently (more cached tokens
 * than prompt tokens) is clamped, never charged twice.
 */
export function costOf(usage: Usage, pricing: Pricing): CostBreakdown {
  const price = pricesFor(pricing, usage.promptTokens);
  const prompt = price.prompt as bigint;
  const cacheRead = price.cacheRead ?? prompt;
  const cacheWrite = price.cacheWrite ?? prompt;
  const audio = price.audio ?? prompt;

  let remaining = count(usage.promptTokens);
  const take = (tokens: number | undefined): bigint => {
    const taken = count(tokens) < remaining ? count(tokens) : remaining;
    remaining -= taken;
    return taken;
  };
  const cachedAudio = count(usage.cachedAudioTokens) < count(usage.cachedTokens) ? count(usage.cachedAudioTokens) : count(usage.cachedTokens);
  const audioCached = take(Number(cachedAudio));
  const audioUncached = take(Math.max(0, (usage.audioPromptTokens ?? 0) - Number(cachedAudio)));
  const image = take(usage.imagePromptTokens);
  const textCached = take(usage.cachedTokens - Number(cachedAudio));
  const written1h = take(Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens));
  const written = take(usage.cacheWriteTokens - (usage.cacheWrite1hTokens ?? 0));
  const uncached = remaining;

  const promptPico =
    uncached * prompt +
    textCached * cacheRead +
    written * cacheWrite +
    written1h * (price.cacheWrite1h ?? cacheWrite) +
    audioUncached * audio +
    audioCached * (price.audioCacheRead ?? price.cacheRead ?? audio) +
    image * (price.image ?? prompt);
  // A per-request price is in USD, not per million tokens: scale it up to pico-dollars.
  const requestPico = pricing.request === undefined ? 0n : picoPerToken(pricing.request) * SCALE;
  const completion = count(usage.completionTokens);
  const reasoning = count(usage.reasoningTokens) < completion ? count(usage.reasoningTokens) : completion;
  const completionPico = (completion - reasoning) * (price.completion as bigint) + reasoning * (price.reasoning ?? (price.completion as bigint));
  const total = promptPico + requestPico + completionPico;
  if (total === 0n) return { promptMicros: 0, completionMicros: 0, totalMicros: 0 };
  return {
    promptMicros: Number(ceilDiv(promptPico + requestPico, SCALE)),
    completionMicros: Number(ceilDiv(completionPico, SCALE)),
    totalMicros: Number(ceilDiv(total, SCALE)),
  };
}

export interface WorstCasePrices {
  /** The dearest price any input token can have, pico-dollars per token. */
  inputPico: bigint;
  /** The dearest price any output token can have. */
  outputPico: bigint;
  /** The per-request price, pico-dollars. */
  requestPico: bigint;
}

/**
 * The dearest prices a request with at most `promptTokens` input tokens can
 * meet: every tier it could reach, and for the input the dearest of plain,
 * cache-write (either TTL), audio and image prices, since a hold is taken
 * before anyone knows how the provider will count the prompt.
 */
export function worstCasePrices(pricing: Pricing, promptTokens: number): WorstCasePrices {
  let inputPico = 0n;
  let outputPico = 0n;
  const max = (a: bigint, b: bigint | undefined): bigint => (b !== undefined && b > a ? b : a);
  const consider = (prices: ResolvedPrices): void => {
    for (const key of ['prompt', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'audio', 'audioCacheRead', 'image'] as const) inputPico = max(inputPico, prices[key]);
    outputPico = max(max(outputPico, prices.completion), prices.reasoning);
  };
  consider(pricesFor(pricing, 0));
  for (const tier of pricing.tiers ?? []) if (promptTokens > tier.abovePromptTokens) consider(pricesFor(pricing, tier.abovePromptTokens + 1));
  const requestPico = pricing.request === undefined ? 0n : picoPerToken(pricing.request) * SCALE;
  return { inputPico, outputPico, requestPico };
}

/** The most a request can cost at an endpoint: every input token at its dearest price, every output token used, the highest tier it could reach. */
export function worstCaseMicros(promptTokens: number, maxOutputTokens: number, pricing: Pricing): number {
  const { inputPico, outputPico, requestPico } = worstCasePrices(pricing, promptTokens);
  const pico = BigInt(promptTokens) * inputPico + BigInt(maxOutputTokens) * outputPico + requestPico;
  return Number(ceilDiv(pico, SCALE));
}

/** µ$ → USD, as the API reports money. */
export const microsToUsd = (micros: number): number => micros / 1_000_000;

/** USD (a decimal string or number from a caller) → µ$, rounded down. */
export function usdToMicros(usd: number | string): number {
  const text = typeof usd === 'number' ? usd.toFixed(6) : usd;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a non-negative decimal: ${text}`);
  // Parsing USD with six decimals is parsing micro-dollars.
  return Number(picoPerToken(text));
}
