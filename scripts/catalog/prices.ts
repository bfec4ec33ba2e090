// @pydantic/genai-prices' prices → the catalog's: the price in effect on
// the overlay's date, the units Switchyard meters, decimal strings exact to
// six places of USD per million tokens.
import type { ModelInfo, ModelPrice } from '@pydantic/genai-prices';
import type { PriceTier, Pricing } from '../../lib/catalog/schema.ts';
import { PRICES_IN_EFFECT_ON } from './overlay.ts';

/** The price keys Switchyard bills, by @pydantic/genai-prices' name. */
const priceKeys: Readonly<Record<string, keyof Omit<PriceTier, 'abovePromptTokens'> | 'request'>> = {
  input_mtok: 'prompt',
  output_mtok: 'completion',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
  output_reasoning_mtok: 'reasoning',
  input_audio_mtok: 'audio',
  cache_audio_read_mtok: 'audioCacheRead',
  input_image_mtok: 'image',
  requests_kcount: 'request',
};
/**
 * Fees for a provider's own tools (web and file search): a chat request
 * through Switchyard never asks for them, and no usage counts them, so
 * they are left out rather than refusing the model.
 */
const toolFees = new Set(['web_searches_kcount', 'storage_searches_kcount', 'output_citation_mtok']);

/** The prices in effect on PRICES_IN_EFFECT_ON; a daily window (DeepSeek's peak hours) counts at its dearest. */
export function pricesInEffect(model: ModelInfo): ModelPrice {
  if (!Array.isArray(model.prices)) return model.prices;
  const day = new Date(`${PRICES_IN_EFFECT_ON}T00:00:00Z`);
  let base: ModelPrice | undefined;
  const windows: ModelPrice[] = [];
  for (const entry of model.prices) {
    const constraint = entry.constraint;
    if (constraint === undefined) base ??= entry.prices;
    else if (constraint.type === 'start_date') {
      if (day >= new Date(constraint.start_date)) base = entry.prices;
    } else windows.push(entry.prices);
  }
  const merged: ModelPrice = { ...(base ?? model.prices[0]?.prices ?? {}) };
  // Billing the off-peak price at peak hours would undercharge; the catalog has no clock, so the peak price stands.
  for (const window of windows) {
    for (const [key, value] of Object.entries(window)) {
      const current = merged[key];
      if (typeof value === 'number' && (current === undefined || (typeof current === 'number' && value > current))) merged[key] = value;
    }
  }
  return merged;
}

/** A price six decimals of USD per million tokens cannot carry exactly (one twelfth of a dollar). */
class InexactPrice extends Error {}

/** 0.075 → "0.075". */
function decimal(value: number, scale = 1): string {
  const scaled = value / scale;
  const text = Number(scaled.toFixed(6)).toString();
  if (!/^\d{1,6}(\.\d{1,6})?$/.test(text) || Math.abs(Number(text) - scaled) > 1e-12) throw new InexactPrice(`price ${value} does not fit six decimals`);
  return text;
}

/**
 * genai-prices' prices → the catalog's, or undefined when they include a
 * unit Switchyard does not meter or a price it cannot carry exactly: such an
 * endpoint is left out rather than billed at a price the data does not say.
 */
export function toPricing(prices: ModelPrice): Pricing | undefined {
  try {
    return convertPricing(prices);
  } catch (error) {
    if (error instanceof InexactPrice) return undefined;
    throw error;
  }
}

function convertPricing(prices: ModelPrice): Pricing | undefined {
  const base: Record<string, string> = {};
  const tiers = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(prices)) {
    if (value === undefined || toolFees.has(key)) continue;
    const target = priceKeys[key];
    if (target === undefined) return undefined;
    // requests_kcount is USD per thousand requests.
    const scale = key === 'requests_kcount' ? 1000 : 1;
    if (typeof value === 'number') {
      base[target] = decimal(value, scale);
      continue;
    }
    if (target === 'request') return undefined;
    base[target] = decimal(value.base);
    for (const tier of value.tiers) {
      const prices = tiers.get(tier.start) ?? {};
      prices[target] = decimal(tier.price);
      tiers.set(tier.start, prices);
    }
  }
  if (base.prompt === undefined || base.completion === undefined) return undefined;
  const pricing: Pricing = { prompt: base.prompt, completion: base.completion };
  for (const key of ['cacheRead', 'cacheWrite', 'cacheWrite1h', 'reasoning', 'audio', 'audioCacheRead', 'image', 'request'] as const) {
    if (base[key] !== undefined) pricing[key] = base[key];
  }
  if (tiers.size > 0) {
    pricing.tiers = [...tiers.entries()].sort(([a], [b]) => a - b).map(([start, prices]) => ({ abovePromptTokens: start, ...prices }));
  }
  return pricing;
}
