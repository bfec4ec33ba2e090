// How `only`, `ignore` and `order` entries name endpoints: the provider's
// slug, the endpoint's tag, the tag's base slug (`deepinfra` for
// `deepinfra/turbo`) or the display name, case-insensitively
// (openrouter-api.md §2.4).
import type { Endpoint } from '../catalog/catalog.ts';

/** Service-tier endpoints are only reached by their full slug. */
const tierSuffixes = new Set(['priority', 'flex']);

export function matchesProvider(endpoint: Endpoint, name: string): boolean {
  const wanted = name.trim().toLowerCase();
  const tag = endpoint.tag.toLowerCase();
  if (wanted === tag) return true;
  const [base, variant] = tag.split('/', 2);
  const isTier = variant !== undefined && tierSuffixes.has(variant);
  if (isTier) return false;
  return (
    wanted === base ||
    wanted === endpoint.provider.id.toLowerCase() ||
    wanted === endpoint.provider.name.toLowerCase()
  );
}

export function matchesAny(endpoint: Endpoint, names: readonly string[]): boolean {
  return names.some((name) => matchesProvider(endpoint, name));
}

/** Position of the first `order` entry the endpoint matches, or undefined. */
export function orderRank(endpoint: Endpoint, order: readonly string[]): number | undefined {
  const index = order.findIndex((name) => matchesProvider(endpoint, name));
  return index === -1 ? undefined : index;
}
