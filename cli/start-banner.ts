// What `npm start` prints: where the gateway runs, its keys and where they
// are kept, which providers can serve, and a snippet that works as pasted,
// so it names a chat model of the catalog in use that this machine can
// serve (SWITCHYARD_CATALOG may have replaced the simulator's models).
import path from 'node:path';
import type { Catalog, Model, Provider } from '../lib/catalog/catalog.ts';
import type { SeededKeys } from './local-seed.ts';

export interface StartBannerInput {
  url: string;
  baseUrl: string;
  keys: SeededKeys;
  dataDir: string;
  catalog: Catalog;
  /** Credential names the environment does not set. */
  missingCredentials: ReadonlySet<string>;
}

/** The model the snippet suggests first, when the catalog has it and it can be served. */
const PREFERRED_CHAT_MODEL = 'simulator/fast';
/** A simulator model whose cheaper provider always fails: a fallback on the first request. */
const FALLBACK_DEMO_MODEL = 'simulator/flaky';

const isChatModel = (model: Model): boolean => model.endpoints.every((endpoint) => endpoint.embedding === undefined);

const ready = (provider: Provider, missing: ReadonlySet<string>): boolean => provider.credential === undefined || !missing.has(provider.credential);

function servable(model: Model, missing: ReadonlySet<string>): boolean {
  return model.endpoints.some((endpoint) => ready(endpoint.provider, missing));
}

/**
 * A chat model of `catalog` that can be served with the credentials at hand,
 * or undefined when none can. Bedrock needs no credential of the catalog but
 * AWS credentials in the shell, so a model another provider serves comes first.
 */
export function suggestedChatModel(catalog: Catalog, missing: ReadonlySet<string>): string | undefined {
  const candidates = [...catalog.models.values()].filter((model) => isChatModel(model) && servable(model, missing));
  const beyondBedrock = (model: Model): boolean => model.endpoints.some((endpoint) => endpoint.provider.kind !== 'bedrock' && ready(endpoint.provider, missing));
  return (candidates.find((model) => model.id === PREFERRED_CHAT_MODEL) ?? candidates.find(beyondBedrock) ?? candidates[0])?.id;
}

export function startBanner(input: StartBannerInput): string {
  const { catalog, keys, missingCredentials: missing } = input;
  const providers = [...catalog.providers.values()];
  const enabled = providers
    .filter((provider) => ready(provider, missing))
    .map((provider) => (provider.kind === 'bedrock' && provider.credential === undefined ? `${provider.name} (with your AWS credentials)` : provider.name));
  const unset = [...new Set(providers.flatMap((provider) => (provider.credential !== undefined && missing.has(provider.credential) ? [provider.credential] : [])))];
  const model = suggestedChatModel(catalog, missing);
  const flaky = catalog.models.get(FALLBACK_DEMO_MODEL);

  const lines = [
    '',
    `Switchyard is running at ${input.url}`,
    '',
    `  API key:         ${keys.apiKey}`,
    `  Management key:  ${keys.managementKey}`,
    `  Keys kept in:    ${path.join(input.dataDir, 'local-keys.json')} (this machine only; a restart prints the same keys)`,
    `  Data folder:     ${input.dataDir} (balances, usage records)`,
    `  Providers:       ${enabled.length === 0 ? 'none can serve yet' : enabled.join(', ')}`,
  ];
  if (unset.length > 0) lines.push(`                   (set ${listed(unset)} in the environment to enable the rest)`);
  lines.push('  Provider keys:   read from the environment at start, never written to the data folder', '');
  if (model === undefined) {
    lines.push(`No chat model of this catalog can be served: set ${listed(unset)} and start again.`, '', 'Press Ctrl-C to stop.', '');
    return lines.join('\n');
  }
  lines.push(
    'Try it with the OpenAI SDK:',
    '',
    "  import OpenAI from 'openai';",
    `  const client = new OpenAI({ baseURL: '${input.baseUrl}', apiKey: '${keys.apiKey}' });`,
    '  const stream = await client.chat.completions.create({',
    `    model: '${model}',`,
    "    messages: [{ role: 'user', content: 'Hello!' }],",
    '    stream: true,',
    '  });',
    "  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');",
    '',
    'or with curl:',
    '',
    `  curl ${input.baseUrl}/chat/completions -H 'authorization: Bearer ${keys.apiKey}' \\`,
    `    -H 'content-type: application/json' -d '{"model":"${model}","messages":[{"role":"user","content":"Hi"}]}'`,
    '',
  );
  if (flaky !== undefined && servable(flaky, missing)) {
    lines.push(`Model ${FALLBACK_DEMO_MODEL} shows a fallback: its cheaper provider fails every request, the next one answers.`, '');
  }
  lines.push(`Models this gateway can serve: ${input.baseUrl}/models (the whole catalog: ${input.baseUrl}/models?all=true)`, '', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown}, …` : shown;
}
