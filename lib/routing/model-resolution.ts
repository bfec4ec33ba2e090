// Which models a request names, in fallback order, with the sort a variant
// suffix implies (openrouter-api.md §2.2, §2.5).
import type { ChatRequest } from '../api/chat-request.ts';
import { invalidRequest } from '../api/errors.ts';
import type { Catalog, Model } from '../catalog/catalog.ts';

export type SortKey = 'price' | 'throughput' | 'latency' | 'exacto';

export interface RequestedModel {
  /** The id as the caller wrote it. */
  requested: string;
  model: Model;
  /** The sort a `:nitro`/`:floor` suffix asks for. */
  variantSort: SortKey | undefined;
}

/**
 * Dynamic variants work on any model. `:nitro` and `:floor` are sorts; the
 * others need features this gateway does not have (free pools, exacto
 * quality signals, web search), so they route as the base model.
 */
const dynamicVariants: ReadonlyMap<string, SortKey | undefined> = new Map([
  ['nitro', 'throughput'],
  ['floor', 'price'],
  ['free', undefined],
  ['exacto', undefined],
  ['online', undefined],
]);

/** `model`, then `models`, without repeats; an unknown id is a 400. */
export function requestedModels(request: ChatRequest, catalog: Catalog): RequestedModel[] {
  const ids = [...new Set([request.model, ...(request.models ?? [])].filter((id) => id !== undefined))];
  const seen = new Set<string>();
  const resolved: RequestedModel[] = [];
  for (const id of ids) {
    const entry = resolveModel(id, catalog);
    if (seen.has(entry.model.id)) continue;
    seen.add(entry.model.id);
    resolved.push(entry);
  }
  return resolved;
}

function resolveModel(id: string, catalog: Catalog): RequestedModel {
  let base = id;
  let variantSort: SortKey | undefined;
  for (;;) {
    const model = catalog.models.get(base);
    // A static variant listed in the catalog (`x:free`) is a model of its own.
    if (model !== undefined) return { requested: id, model, variantSort };
    const suffix = /^(.+):([a-z]+)$/.exec(base);
    if (suffix === null || !dynamicVariants.has(suffix[2] ?? '')) break;
    // In a chain (`x:nitro:online`) the suffix nearest the slug wins.
    variantSort = dynamicVariants.get(suffix[2] ?? '') ?? variantSort;
    base = suffix[1] ?? '';
  }
  throw invalidRequest(`${id} is not a valid model ID`, { field: 'model' });
}
