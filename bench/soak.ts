// `npm run bench -- --soak [--soak-minutes M] [--soak-requests N] [--soak-rate R]`:
// local mode under a long, mixed load (issue 21 point 8). JSON replies,
// streams, streams the client cancels after the first bytes, requests that
// fail over from a flaky provider, and 4xx refusals, paced at R requests a
// second, until both M minutes and N requests are done (bounded: at most
// three times M). Local mode's RSS, live heap and active handles are sampled
// throughout; their slope after the warm-up says whether anything grows with
// the requests served. At the end local mode stops gracefully and the
// ledger is read back from the store: credits = available + spent, nothing
// held, and spent = the sum of the usage records' charges.
import { Agent, request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { nextMessage, query, type StartedProcess, startProcess } from './child-process.ts';
import { localModeNodeFlags } from './gateways.ts';
import { describeMachine, type MachineInfo } from './machine.ts';
import { cpuMillis, machineJiffies, memory, millisPerJiffy } from './process-stats.ts';
import type { SoakLedger } from './processes/soak-queries.ts';
import { SOAK_FAILOVER_MODEL, SOAK_MODEL, SOAK_SLOW_MODEL } from './soak-workload.ts';

export interface SoakOptions {
  minutes: number;
  requests: number;
  /** Requests started per second, at most. */
  rate: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Samples before this are the warm-up, left out of the slopes. */
  warmUpMinutes: number;
  sampleEverySeconds: number;
}

export const DEFAULT_SOAK: SoakOptions = { minutes: 16, requests: 200_000, rate: 250, concurrency: 48, warmUpMinutes: 3, sampleEverySeconds: 15 };

export type SoakKind = 'json' | 'stream' | 'cancel' | 'failover' | 'refusal';

/** Ten requests, in this order, over and over: 3 JSON, 3 streams, 1 cancel, 2 failovers, 1 refusal (alternately 400 and 401). */
const ROTATION: readonly SoakKind[] = ['json', 'stream', 'failover', 'json', 'stream', 'cancel', 'json', 'stream', 'failover', 'refusal'];

export interface SoakSample {
  /** Since the load started. */
  seconds: number;
  requests: number;
  rssMb: number;
  heapUsedMb: number;
  handles: number;
  dynamoRssMb: number | undefined;
}

export interface Slope {
  /** Units per hour, least squares over the samples after the warm-up. */
  perHour: number;
  /** At the first and the last sample after the warm-up. */
  first: number;
  last: number;
}

export interface SoakResults {
  kind: 'soak';
  date: string;
  machine: MachineInfo;
  options: SoakOptions;
  durationSeconds: number;
  /** Machine CPU while the load ran: all of it, and what processes other than ours took. */
  load: { machinePercent: number; otherPercent: number; cores: number };
  requests: Record<SoakKind, { sent: number; expected: number; unexpected: number; firstUnexpected?: string }>;
  total: number;
  samples: SoakSample[];
  slopes: { rssMb: Slope; heapUsedMb: Slope; handles: Slope };
  ledger: SoakLedger;
  /** credits = available + spent + held, nothing held, and spent = Σ usage records' charges. */
  ledgerExact: boolean;
}

const REQUEST_TIMEOUT_MS = 60_000;

export async function runSoak(options: SoakOptions, benchDirectory: string, log: (line: string) => void): Promise<{ results: SoakResults; file: string }> {
  const date = new Date();
  const machine = describeMachine();
  const processes: StartedProcess[] = [];
  try {
    const simulator = startProcess({ name: 'soak simulator', args: ['bench/processes/soak-simulator-process.ts'], ipc: true });
    processes.push(simulator);
    const { url: simulatorUrl } = await nextMessage<{ type: 'ready'; url: string }>(simulator, 'ready');
    // --expose-gc lets the memory query collect first, so the heap figure is the live heap.
    const switchyard = startProcess({
      name: 'switchyard',
      args: [...localModeNodeFlags(), '--expose-gc', 'bench/processes/switchyard-process.ts', simulatorUrl, JSON.stringify({ catalog: 'soak' })],
      ipc: true,
    });
    processes.push(switchyard);
    const ready = await nextMessage<{ type: 'ready'; url: string; apiKey: string; dynamoPid?: number }>(switchyard, 'ready');
    log(`soak: ${options.minutes} min and ${options.requests} requests at most ${options.rate}/s, local mode at ${ready.url}`);

    const counts = Object.fromEntries(ROTATION.map((kind) => [kind, { sent: 0, expected: 0, unexpected: 0 }])) as SoakResults['requests'];
    const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
    const samples: SoakSample[] = [];
    const startedAt = performance.now();
    const elapsedSeconds = (): number => (performance.now() - startedAt) / 1000;
    let issued = 0;
    const done = (): boolean =>
      (issued >= options.requests && elapsedSeconds() >= options.minutes * 60) || elapsedSeconds() >= options.minutes * 60 * 3;
    const jiffiesBefore = machineJiffies();
    const cpuBefore = ourCpu(processes);

    const sample = async (): Promise<void> => {
      const usage = (await query<{ type: 'memory'; usage: NodeJS.MemoryUsage }>(switchyard, 'memory')).usage;
      const handles = (await query<{ type: 'handles'; count: number }>(switchyard, 'handles')).count;
      samples.push({
        seconds: elapsedSeconds(),
        requests: Object.values(counts).reduce((sum, count) => sum + count.expected + count.unexpected, 0),
        rssMb: memory(switchyard.pid).rssMb,
        heapUsedMb: usage.heapUsed / 1024 ** 2,
        handles,
        dynamoRssMb: ready.dynamoPid === undefined ? undefined : memory(ready.dynamoPid).rssMb,
      });
      const last = samples.at(-1) as SoakSample;
      log(`  ${last.seconds.toFixed(0)} s: ${last.requests} requests, RSS ${last.rssMb.toFixed(1)} MB, heap ${last.heapUsedMb.toFixed(1)} MB, ${last.handles} handles`);
    };
    await sample();
    const sampler = setInterval(() => void sample().catch((error: unknown) => log(`  sample failed: ${String(error)}`)), options.sampleEverySeconds * 1000);

    const worker = async (): Promise<void> => {
      while (!done()) {
        const index = issued;
        issued += 1;
        // Paced: request i starts no earlier than i / rate seconds after the start.
        const due = (index / options.rate) * 1000 - (performance.now() - startedAt);
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        const kind = ROTATION[index % ROTATION.length] as SoakKind;
        const count = counts[kind];
        count.sent += 1;
        const outcome = await send(ready.url, ready.apiKey, kind, index, agent);
        if (outcome === undefined) count.expected += 1;
        else {
          count.unexpected += 1;
          count.firstUnexpected ??= outcome;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    clearInterval(sampler);
    await sample();
    const durationSeconds = elapsedSeconds();
    const jiffiesAfter = machineJiffies();
    const capacityMs = (jiffiesAfter.total - jiffiesBefore.total) * millisPerJiffy();
    const busyMs = (jiffiesAfter.busy - jiffiesBefore.busy) * millisPerJiffy();
    const oursMs = ourCpu(processes) - cpuBefore;
    agent.destroy();

    log('soak: load done; stopping local mode gracefully and reading the ledger back');
    const ledger = await nextAnswer(switchyard);
    const total = Object.values(counts).reduce((sum, count) => sum + count.sent, 0);
    const warm = samples.filter((entry) => entry.seconds >= options.warmUpMinutes * 60);
    const results: SoakResults = {
      kind: 'soak',
      date: date.toISOString(),
      machine,
      options,
      durationSeconds,
      load: { machinePercent: (100 * busyMs) / capacityMs, otherPercent: Math.max(0, (100 * (busyMs - oursMs)) / capacityMs), cores: machine.cpus },
      requests: counts,
      total,
      samples,
      slopes: {
        rssMb: slope(warm, (entry) => entry.rssMb),
        heapUsedMb: slope(warm, (entry) => entry.heapUsedMb),
        handles: slope(warm, (entry) => entry.handles),
      },
      ledger,
      ledgerExact:
        ledger.holds === 0 &&
        ledger.heldMicros === 0 &&
        ledger.creditsMicros === ledger.availableMicros + ledger.spentMicros &&
        ledger.spentMicros === ledger.recordedCostMicros,
    };
    const stamp = date.toISOString().slice(0, 19).replaceAll(':', '-');
    const file = `soak-${stamp}.json`;
    await mkdir(path.join(benchDirectory, 'results'), { recursive: true });
    await writeFile(path.join(benchDirectory, 'results', file), `${JSON.stringify(results)}\n`);
    return { results, file };
  } finally {
    await Promise.allSettled(processes.map((started) => started.stop()));
  }
}

/** The ledger, once local mode has stopped: its shutdown and store read take a while. */
async function nextAnswer(switchyard: StartedProcess): Promise<SoakLedger> {
  const answer = nextMessage<SoakLedger | { type: 'soak-ledger'; error: string }>(switchyard, 'soak-ledger', 120_000);
  switchyard.child.send({ type: 'soak-ledger' });
  const ledger = await answer;
  if ('error' in ledger) throw new Error(`the ledger could not be read: ${ledger.error}`);
  return ledger;
}

/** Least squares of value against time, per hour. */
export function slope(samples: readonly SoakSample[], value: (sample: SoakSample) => number): Slope {
  const points = samples.map((entry) => ({ x: entry.seconds / 3600, y: value(entry) }));
  const first = points[0]?.y ?? Number.NaN;
  const last = points.at(-1)?.y ?? Number.NaN;
  if (points.length < 2) return { perHour: Number.NaN, first, last };
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  const covariance = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0);
  const variance = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
  return { perHour: variance === 0 ? 0 : covariance / variance, first, last };
}

/** CPU ms of the harness and of its live processes (one that exited counts as none: errs towards "other load"). */
function ourCpu(processes: readonly StartedProcess[]): number {
  const own = process.cpuUsage();
  let total = (own.user + own.system) / 1000;
  for (const started of processes) {
    try {
      total += cpuMillis(started.pid);
    } catch {
      // Gone.
    }
  }
  return total;
}

const PROMPT = 'Summarise the timetable for the freight trains that pass the junction tonight.';

/** The body and key of request `index` of a kind; the 4xx alternate between a bad body and a bad key. */
function requestOf(kind: SoakKind, index: number, apiKey: string): { body: string; authorization: string; expect: number; stream: boolean } {
  const messages = [{ role: 'user', content: `${PROMPT} (${index})` }];
  switch (kind) {
    case 'json':
      return { body: JSON.stringify({ model: SOAK_MODEL, messages, max_tokens: 30 }), authorization: `Bearer ${apiKey}`, expect: 200, stream: false };
    case 'stream':
      return { body: JSON.stringify({ model: SOAK_MODEL, messages, max_tokens: 30, stream: true }), authorization: `Bearer ${apiKey}`, expect: 200, stream: true };
    case 'cancel':
      // A one-second stream, left after its first bytes.
      return { body: JSON.stringify({ model: SOAK_SLOW_MODEL, messages, max_tokens: 100, stream: true }), authorization: `Bearer ${apiKey}`, expect: 200, stream: true };
    case 'failover':
      return { body: JSON.stringify({ model: SOAK_FAILOVER_MODEL, messages, max_tokens: 30 }), authorization: `Bearer ${apiKey}`, expect: 200, stream: false };
    case 'refusal':
      // Every other refusal is a 401 (a key that is not one), the others a 400 naming tool_choice.
      return Math.floor(index / ROTATION.length) % 2 === 0
        ? {
            body: JSON.stringify({ model: SOAK_MODEL, messages, tool_choice: { type: 'function', function: { name: 'missing' } } }),
            authorization: `Bearer ${apiKey}`,
            expect: 400,
            stream: false,
          }
        : { body: JSON.stringify({ model: SOAK_MODEL, messages }), authorization: 'Basic c29hazpzb2Fr', expect: 401, stream: false };
  }
}

/** One request; undefined when it ended as its kind should, else what happened. */
function send(baseUrl: string, apiKey: string, kind: SoakKind, index: number, agent: Agent): Promise<string | undefined> {
  const spec = requestOf(kind, index, apiKey);
  const url = new URL(`${baseUrl}/api/v1/chat/completions`);
  const body = Buffer.from(spec.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: spec.authorization, 'content-type': 'application/json', 'content-length': String(body.length) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let tail = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          if (kind === 'cancel') {
            // The client leaves after the first bytes: the gateway must bill what was delivered and let go.
            outgoing.destroy();
            finish(response.statusCode === 200 ? undefined : `HTTP ${String(response.statusCode)}`);
            return;
          }
          tail = (tail + text).slice(-64);
        });
        response.on('end', () => {
          if (response.statusCode !== spec.expect) finish(`HTTP ${String(response.statusCode)}: ${tail.slice(0, 64)}`);
          else if (spec.expect === 200 && (spec.stream ? !tail.includes('data: [DONE]') : !tail.trimEnd().endsWith('}'))) finish('incomplete body');
          else finish(undefined);
        });
        response.on('error', (error) => finish(kind === 'cancel' ? undefined : error.message));
        response.on('aborted', () => finish(kind === 'cancel' ? undefined : 'response aborted'));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no reply within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', (error) => finish(kind === 'cancel' && settled ? undefined : error.message));
    outgoing.end(body);
  });
}
