import { catalogFile, type CatalogFile, type EndpointEntry, type ModelEntry, type ProviderEntry, type SupportedParameter } from './schema.ts';
import { fieldPath } from '../api/validate.ts';
import { FALLBACK_TOKEN_ENCODING, type TokenEncodingName } from '../tokens/encodings.ts';
import defaultCatalogJson from './default-catalog.json' with { type: 'json' };

export interface Provider extends ProviderEntry {
  /** The provider's key in the catalog, its routing slug. */
  id: string;
  /** Resolved base URL (simulator placeholder substituted). */
  baseUrl: string;
}

export interface Endpoint extends Omit<EndpointEntry, 'provider' | 'supportedParameters'> {
  /** Unique: `<model id>@<tag>`. */
  id: string;
  modelId: string;
  tag: string;
  provider: Provider;
  supportedParameters: ReadonlySet<SupportedParameter>;
  /** The model's encoding, or the fallback when it names none: what a count of this endpoint's tokens uses. */
  tokenEncoding: TokenEncodingName;
}

export interface Model extends Omit<ModelEntry, 'endpoints' | 'tokenEncoding'> {
  endpoints: readonly Endpoint[];
  /** As declared, or FALLBACK_TOKEN_ENCODING. */
  tokenEncoding: TokenEncodingName;
  /** The largest context any endpoint offers. */
  contextLength: number;
}

export interface Catalog {
  readonly providers: ReadonlyMap<string, Provider>;
  readonly models: ReadonlyMap<string, Model>;
  readonly endpoints: readonly Endpoint[];
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

export interface CatalogOptions {
  /** Base URL of the running provider simulator, for `${SIMULATOR_URL}` and simulated providers. */
  simulatorUrl?: string;
  /** Where the catalog came from, for error messages. */
  source?: string;
}

export const SIMULATOR_PLACEHOLDER = '${SIMULATOR_URL}';

/** Validate a catalog document and resolve its cross-references. */
export function createCatalog(document: unknown, options: CatalogOptions = {}): Catalog {
  const source = options.source ?? 'catalog';
  // Parsed once per process: zod's compiled fast path for object schemas
  // costs more to generate than it saves on a single parse (a cold start pays it).
  const parsed = catalogFile.safeParse(document, { jitless: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => {
      return `  ${describePath(document, issue.path)}: ${issue.message}`;
    });
    throw new CatalogError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  const file = parsed.data.extends === 'default' ? extendDefault(parsed.data) : parsed.data;
  return resolve(file, options, source);
}

/** A user's catalog over the shipped one: theirs wins by provider key and by model id. */
function extendDefault(file: CatalogFile): CatalogFile {
  const shipped = defaultCatalogJson as CatalogFile;
  const replaced = new Set(file.models.map((model) => model.id));
  return {
    providers: { ...shipped.providers, ...file.providers },
    models: [...shipped.models.filter((model) => !replaced.has(model.id)), ...file.models],
  };
}

/**
 * The shipped catalog. It is generated already validated, every default
 * filled in (scripts/catalog.ts; test/catalog/default-catalog-generation.test.ts
 * proves the committed file is exactly its own parse), so a cold start only
 * resolves its cross-references: validating hundreds of models again would
 * cost every cold start for nothing.
 */
export function defaultCatalog(options: CatalogOptions = {}): Catalog {
  return resolve(defaultCatalogJson as CatalogFile, options, 'default catalog');
}

function resolve(file: CatalogFile, options: CatalogOptions, source: string): Catalog {
  const providers = new Map<string, Provider>();
  for (const [id, entry] of Object.entries(file.providers)) {
    providers.set(id, { ...entry, id, baseUrl: resolveBaseUrl(id, entry, options) });
  }
  const models = new Map<string, Model>();
  const endpoints: Endpoint[] = [];
  file.models.forEach((modelEntry, modelIndex) => {
    const where = `models[${modelIndex}] (${modelEntry.id})`;
    if (models.has(modelEntry.id)) throw new CatalogError(`${source}: ${where}: duplicate model id`);
    const tags = new Set<string>();
    const tokenEncoding = modelEntry.tokenEncoding ?? FALLBACK_TOKEN_ENCODING;
    const modelEndpoints = modelEntry.endpoints.map((entry, endpointIndex) => {
      const provider = providers.get(entry.provider);
      if (provider === undefined) {
        throw new CatalogError(`${source}: ${where}.endpoints[${endpointIndex}].provider: unknown provider "${entry.provider}"`);
      }
      const tag = entry.tag ?? entry.provider;
      if (tags.has(tag)) throw new CatalogError(`${source}: ${where}.endpoints[${endpointIndex}].tag: duplicate tag "${tag}"`);
      tags.add(tag);
      const endpoint: Endpoint = {
        ...entry,
        id: `${modelEntry.id}@${tag}`,
        modelId: modelEntry.id,
        tag,
        provider,
        supportedParameters: new Set(entry.supportedParameters),
        tokenEncoding,
      };
      return endpoint;
    });
    endpoints.push(...modelEndpoints);
    models.set(modelEntry.id, {
      ...modelEntry,
      tokenEncoding,
      endpoints: modelEndpoints,
      contextLength: Math.max(...modelEndpoints.map((endpoint) => endpoint.contextLength)),
    });
  });
  return { providers, models, endpoints };
}

function resolveBaseUrl(id: string, entry: ProviderEntry, options: CatalogOptions): string {
  const simulatorUrl = options.simulatorUrl ?? 'http://127.0.0.1:0';
  if (entry.baseUrl === undefined) {
    // Simulated providers default to their own path on the simulator.
    return entry.simulator !== undefined ? `${simulatorUrl}/${id}` : '';
  }
  return entry.baseUrl.replaceAll(SIMULATOR_PLACEHOLDER, simulatorUrl);
}

/** `models[3] (openai/gpt-4o).endpoints[0].pricing.prompt`: the path with the model id beside it. */
function describePath(document: unknown, path: readonly PropertyKey[]): string {
  const text = fieldPath(path);
  if (path[0] === 'models' && typeof path[1] === 'number' && isRecord(document) && Array.isArray(document.models)) {
    const model: unknown = document.models[path[1]];
    if (isRecord(model) && typeof model.id === 'string') {
      return text.replace(`models[${path[1]}]`, `models[${path[1]}] (${model.id})`);
    }
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
