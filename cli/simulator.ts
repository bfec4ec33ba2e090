// The provider simulator on its own, for pointing clients and failure drills
// at it: `node --import tsx cli/simulator.ts [--port N] [--host H] [--catalog file]`.
// Ctrl-C stops it. See lib/providers/simulator/README.md.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { CatalogError, createCatalog, defaultCatalog, type Catalog } from '../lib/catalog/catalog.ts';
import { createSimulator, type Simulator } from '../lib/providers/simulator/index.ts';
import { serve } from './serve.ts';

export interface SimulatorServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** 127.0.0.1 unless set; `0.0.0.0` serves other machines too. */
  host?: string;
  /** A catalog JSON file; the default catalog when absent. */
  catalogFile?: string;
}

export interface SimulatedProviderInfo {
  id: string;
  name: string;
  kind: string;
  /** Where a client (or a catalog's `baseUrl`) points for this provider. */
  baseUrl: string;
}

export interface RunningSimulator {
  url: string;
  simulator: Simulator;
  providers: SimulatedProviderInfo[];
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorServerOptions = {}): Promise<RunningSimulator> {
  const document: unknown = options.catalogFile === undefined ? undefined : JSON.parse(await readFile(options.catalogFile, 'utf8'));
  const load = (simulatorUrl?: string): Catalog =>
    document === undefined ? defaultCatalog({ simulatorUrl }) : createCatalog(document, { simulatorUrl, source: options.catalogFile });
  // The simulator looks behaviour up by provider id, so it can take the
  // catalog before the server's URL is known; the URL only matters for display.
  const simulator = createSimulator({ catalog: load() });
  const server = await serve(simulator.handle, { port: options.port ?? 0, host: options.host });
  const providers = [...load(server.url).providers.values()]
    .filter((provider) => provider.simulator !== undefined && provider.kind !== 'bedrock')
    .map((provider) => ({ id: provider.id, name: provider.name, kind: provider.kind, baseUrl: `${server.url}/${provider.id}` }));
  return { url: server.url, simulator, providers, close: () => server.close() };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('simulator')
    .description('Serve simulated LLM providers (OpenAI, Anthropic and Gemini wires) with settable latency, token rate and failures.')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', parsePort, 8790)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-c, --catalog <file>', 'catalog JSON file (default: the built-in catalog)')
    .parse();
  const flags = program.opts<{ port: number; host: string; catalog?: string }>();

  let running: RunningSimulator;
  try {
    running = await startSimulator({ port: flags.port, host: flags.host, catalogFile: flags.catalog });
  } catch (error) {
    console.error(error instanceof CatalogError || error instanceof SyntaxError ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  const width = Math.max(...running.providers.map((provider) => provider.id.length));
  console.log(`Provider simulator listening on ${running.url}\n`);
  for (const provider of running.providers) console.log(`  ${provider.id.padEnd(width)}  ${provider.kind.padEnd(9)}  ${provider.baseUrl}`);
  console.log(`\nOpenAI wire: POST <base>/chat/completions · Anthropic: POST <base>/v1/messages · Gemini: POST <base>/v1beta/models/<model>:streamGenerateContent?alt=sse`);
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run only as the entry point (works on Node versions without import.meta.main).
const entry = process.argv[1];
if (entry !== undefined && path.resolve(entry) === fileURLToPath(import.meta.url)) await main();
