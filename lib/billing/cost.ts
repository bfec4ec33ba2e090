// Prices are decimal strings of USD per million tokens, which is exactly
// micro-dollars (µ$) per token. Costs are computed in integers scaled by 10^6
// (pico-dollars) and rounded up to a whole µ$ once, at the end: no float ever
// touches money (DESIGN decision 2).
import type { Pricing } from '../catalog/schema.ts';
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

/** The cost of a finished request at an endpoint's prices. */
export function costOf(usage: Usage, pricing: Pricing): CostBreakdown {
  const prompt = picoPerToken(pricing.prompt);
  const cacheRead = pricing.cacheRead === undefined ? prompt : picoPerToken(pricing.cacheRead);
  const cacheWrite = pricing.cacheWrite === undefined ? prompt : picoPerToken(pricing.cacheWrite);
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens);
  const promptPico =
    BigInt(uncached) * prompt + BigInt(usage.cachedTokens) * cacheRead + BigInt(usage.cacheWriteTokens) * cacheWrite;
  // A per-request price is in USD, not per million tokens: scale it up to pico-dollars.
  const requestPico = pricing.request === undefined ? 0n : picoPerToken(pricing.request) * SCALE;
  const completionPico = BigInt(usage.completionTokens) * picoPerToken(pricing.completion);
  const total = promptPico + requestPico + completionPico;
  if (total === 0n) return { promptMicros: 0, completionMicros: 0, totalMicros: 0 };
  return {
    promptMicros: Number(ceilDiv(promptPico + requestPico, SCALE)),
    completionMicros: Number(ceilDiv(completionPico, SCALE)),
    totalMicros: Number(ceilDiv(total, SCALE)),
  };
}

/** The most a request can cost at an endpoint: every input token uncached, every output token used. */
export function worstCaseMicros(promptTokens: number, maxOutputTokens: number, pricing: Pricing): number {
  const write = pricing.cacheWrite === undefined ? 0n : picoPerToken(pricing.cacheWrite);
  const read = picoPerToken(pricing.prompt);
  // A cache write can cost more than a plain read of the same tokens.
  const inputPrice = write > read ? write : read;
  const requestPico = pricing.request === undefined ? 0n : picoPerToken(pricing.request) * SCALE;
  const pico = BigInt(promptTokens) * inputPrice + BigInt(maxOutputTokens) * picoPerToken(pricing.completion) + requestPico;
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
