// Starts what the client talks to: the mock upstream, the null proxy, Switchyard
// in local mode and Portkey's gateway, each in its own process, and describes
// how to reach the mock provider through each of them.
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { nextMessage, query, repositoryRoot, startProcess, type StartedProcess } from './child-process.ts';
import { INSTANT_PROVIDER, requestBody, SIMULATED_PROVIDER, SWITCHYARD_MODEL, type Target } from './workload.ts';

/** What the direct and proxied requests carry as the upstream key; the mock upstream checks none. */
const UPSTREAM_AUTHORIZATION = 'Bearer sk-bench-upstream';

export interface RunningTarget {
  target: Target;
  /** The process to measure; none for the upstream reached directly. */
  process: StartedProcess | undefined;
  /** Spawn → ready to serve (for Portkey: → its first completed request), ms. */
  startMs: number | undefined;
  /** A process of the target's that serves it from outside (local mode's DynamoDB stand-in): measured beside it. */
  companion?: { name: string; pid: number };
  /** Resolves when work the target does after a reply (Switchyard's settlement and records) is done. */
  settled?: () => Promise<void>;
}

/** The independent mock upstream (processes/mock-upstream-process.ts): the direct target, and every gateway's provider. */
export async function startUpstream(): Promise<{ process: StartedProcess; url: string; target: RunningTarget }> {
  const started = startProcess({ name: 'mock upstream', args: ['bench/processes/mock-upstream-process.ts'], ipc: true });
  const { url } = await nextMessage<{ type: 'ready'; url: string }>(started, 'ready');
  const target: Target = {
    name: 'direct',
    url: new URL(`${url}/${SIMULATED_PROVIDER.id}/chat/completions`),
    model: SIMULATED_PROVIDER.upstreamModel,
    headers: { authorization: UPSTREAM_AUTHORIZATION },
  };
  return { process: started, url, target: { target, process: undefined, startMs: undefined } };
}

export async function startNullProxy(upstreamUrl: string): Promise<RunningTarget> {
  const spawnedAt = performance.now();
  const started = startProcess({ name: 'null proxy', args: ['bench/processes/null-proxy-process.ts', upstreamUrl], ipc: true });
  const { url } = await nextMessage<{ type: 'ready'; url: string }>(started, 'ready');
  return {
    target: {
      name: 'null-proxy',
      url: new URL(`${url}/${SIMULATED_PROVIDER.id}/chat/completions`),
      model: SIMULATED_PROVIDER.upstreamModel,
      headers: { authorization: UPSTREAM_AUTHORIZATION },
    },
    process: started,
    startMs: performance.now() - spawnedAt,
  };
}

/** The Node flags `npm start` runs local mode with (package.json's start script), so the bench runs it the same way. */
export function localModeNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = manifest.scripts?.start ?? '';
  return start.split(/\s+/).filter((word) => word.startsWith('--'));
}

export interface SwitchyardOptions {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Another catalog and settings (processes/switchyard-process.ts), for the upstream-shape pass. */
  variant?: { catalog: 'upstream-shape'; settings: Record<string, unknown> };
}

export async function startSwitchyard(upstreamUrl: string, options: SwitchyardOptions = {}): Promise<RunningTarget> {
  const spawnedAt = performance.now();
  const started = startProcess({
    name: 'switchyard',
    args: [...localModeNodeFlags(), ...(options.nodeFlags ?? []), 'bench/processes/switchyard-process.ts', upstreamUrl, ...(options.variant === undefined ? [] : [JSON.stringify(options.variant)])],
    ipc: true,
  });
  const { url, apiKey, dynamoPid } = await nextMessage<{ type: 'ready'; url: string; apiKey: string; dynamoPid?: number }>(started, 'ready');
  return {
    target: { name: 'switchyard', url: new URL(`${url}/api/v1/chat/completions`), model: SWITCHYARD_MODEL, headers: { authorization: `Bearer ${apiKey}` } },
    process: started,
    startMs: performance.now() - spawnedAt,
    ...(dynamoPid === undefined ? {} : { companion: { name: 'DynamoDB stand-in (dynalite)', pid: dynamoPid } }),
    settled: async () => {
      await query(started, 'idle');
    },
  };
}

/**
 * Portkey's open-source gateway as ../shared/reference/portkey-baseline.md
 * runs it: `start-server.js --headless`, routed by headers to the mock upstream.
 */
export async function startPortkey(upstreamUrl: string): Promise<RunningTarget> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const started = startProcess({
    name: 'portkey',
    args: ['node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'],
    ipc: false,
  });
  const headersFor = (providerId: string): Record<string, string> => ({
    authorization: UPSTREAM_AUTHORIZATION,
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamUrl}/${providerId}`,
  });
  // Ready means it served a completion: spawn → first response, as peers' cold starts are quoted.
  const probe = requestBody(INSTANT_PROVIDER.upstreamModel, { stream: false, maxTokens: 16 });
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`Portkey exited at start: ${started.stderrTail()}`);
    if ((await postStatus(port, '/v1/chat/completions', headersFor(INSTANT_PROVIDER.id), probe)) === 200) break;
    if (performance.now() > deadline) throw new Error(`Portkey did not answer within 30 s: ${started.stderrTail()}`);
    // A readiness poll of a process we cannot signal from inside; not a test synchronisation.
    await delay(10);
  }
  return {
    target: { name: 'portkey', url: new URL(`http://127.0.0.1:${port}/v1/chat/completions`), model: SIMULATED_PROVIDER.upstreamModel, headers: headersFor(SIMULATED_PROVIDER.id) },
    process: started,
    startMs: performance.now() - spawnedAt,
  };
}

function postStatus(port: number, path: string, headers: Record<string, string>, body: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    outgoing.on('error', () => resolve(undefined));
    outgoing.end(body);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
