// BENCHMARKS.md from bench/benchmarks-template.md and one run's results: the
// template holds the prose, this file the tables. A rerun rewrites it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult } from './grid.ts';
import { parquetScanSection } from './parquet-report.ts';
import type { BenchResults } from './results.ts';
import { scaleSections } from './scale-report.ts';
import { checkTargets, TARGETS_ISSUE } from './targets.ts';
import { soakSection } from './soak-report.ts';
import { MODES, TARGET_LETTERS, type TargetName } from './workload.ts';

const TARGET_LABELS: Readonly<Record<TargetName, string>> = {
  direct: 'direct (mock upstream)',
  'null-proxy': 'null proxy',
  switchyard: 'Switchyard (local mode)',
  portkey: 'Portkey 1.15.2',
};

const GATEWAYS: readonly TargetName[] = ['null-proxy', 'switchyard', 'portkey'];

const fixed = (value: number | undefined, digits = 2): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const signed = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function machineSection(results: BenchResults): string {
  const { machine } = results;
  return table(
    ['', ''],
    [
      ['CPUs (`nproc`)', String(machine.cpus)],
      ['CPU model', machine.cpuModel],
      ['Memory', `${machine.memoryGb.toFixed(1)} GB`],
      ['Node.js', machine.node],
      ['Kernel', machine.kernel],
      ['Load average at start (1, 5, 15 min)', machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(', ')],
    ],
  );
}

function noiseSection(results: BenchResults): string {
  const { load } = results;
  const idle = load.otherPercent < 5;
  const verdict = idle
    ? 'The machine was **idle** apart from the benchmark'
    : `The machine was **not idle**: other work used ${load.otherPercent.toFixed(0)}% of its CPU capacity while the grid ran, so these figures are noisier (and slower) than on a quiet machine`;
  return `${verdict}. During the grid the whole machine was ${load.machinePercent.toFixed(0)}% busy (of ${load.cores} cores), of which the harness and its processes account for ${load.oursPercent.toFixed(0)}% and other processes for ${load.otherPercent.toFixed(0)}% (from /proc/stat minus our processes' CPU time).`;
}

function targetsSection(results: BenchResults): string {
  const checks = checkTargets(results);
  const mark = (met: boolean | undefined): string => (met === undefined ? 'not measured' : met ? '**met**' : '**not met**');
  const rows = checks.map((check) => [check.target, check.limit, check.measured, mark(check.met)]);
  const met = checks.filter((check) => check.met === true).length;
  return `${met} of ${checks.length} targets met.\n\n${table([`Target (${TARGETS_ISSUE})`, 'Limit', 'Measured', ''], rows)}`;
}

function latencySection(results: BenchResults): string {
  const parts: string[] = [];
  for (const mode of MODES) {
    const cells = results.grid.cells.filter((candidate) => candidate.mode === mode.name);
    if (cells.length === 0) continue;
    const rows: string[][] = [];
    for (const found of cells) {
      for (const name of ['direct', ...GATEWAYS] as TargetName[]) {
        const target = found.targets[name];
        if (target === undefined) continue;
        const added = found.added[name];
        rows.push([
          String(found.concurrency),
          `${TARGET_LETTERS[name]} ${TARGET_LABELS[name]}`,
          `${fixed(target.ttfbP50)} / ${fixed(target.ttfbP99)}`,
          `${fixed(target.totalP50)} / ${fixed(target.totalP99)}`,
          added === undefined ? '—' : `${signed(added.ttfbP50)} / ${signed(added.ttfbP99)}`,
          added === undefined ? '—' : `${signed(added.totalP50)} / ${signed(added.totalP99)}`,
          fixed(target.requestsPerSecond, 0),
          `${target.requests}${target.errors > 0 ? ` (${target.errors} errors)` : ''}`,
        ]);
      }
    }
    parts.push(
      `### ${mode.label[0]?.toUpperCase() ?? ''}${mode.label.slice(1)}\n\n${table(
        ['c', 'target', 'TTFB p50 / p99 (ms)', 'total p50 / p99 (ms)', 'added TTFB p50 / p99', 'added total p50 / p99', 'req/s', 'requests'],
        rows,
      )}`,
    );
  }
  const errors = results.grid.cells.flatMap((found) =>
    Object.values(found.targets).flatMap((target) => target.runs.filter((run) => run.firstError !== undefined).map((run) => `${found.mode} c=${found.concurrency} ${target.target}: ${run.firstError as string}`)),
  );
  if (errors.length > 0) parts.push(`Errors seen (first of each run):\n\n${[...new Set(errors)].slice(0, 20).map((line) => `- ${line}`).join('\n')}`);
  return parts.join('\n\n');
}

const STAND_IN_LABEL = "Switchyard's DynamoDB stand-in (dynalite, own process)";

function resourceSection(results: BenchResults): string {
  const cpuRows = results.grid.cells.map((found: CellResult) => [
    found.mode,
    String(found.concurrency),
    ...GATEWAYS.map((name) => fixed(found.targets[name]?.cpuMsPerRequest)),
    fixed(found.targets.switchyard?.companionCpuMsPerRequest),
  ]);
  const concurrencies = [...new Set(results.grid.cells.map((found) => found.concurrency))];
  const memoryRows = GATEWAYS.map((name) => [
    TARGET_LABELS[name],
    fixed(results.idleRssMb[name], 0),
    ...concurrencies.map((concurrency) =>
      fixed(Math.max(...results.grid.cells.filter((found) => found.concurrency === concurrency).map((found) => found.targets[name]?.peakRssMb ?? Number.NaN)), 0),
    ),
    fixed(results.startupMs[name], 0),
  ]);
  memoryRows.push([
    STAND_IN_LABEL,
    '—',
    ...concurrencies.map((concurrency) =>
      fixed(Math.max(...results.grid.cells.filter((found) => found.concurrency === concurrency).map((found) => found.targets.switchyard?.companionPeakRssMb ?? Number.NaN)), 0),
    ),
    '—',
  ]);
  const usage = results.switchyardMemoryAfterGridMb;
  const breakdown =
    usage === undefined
      ? ''
      : ` After the last cell and a full garbage collection, Switchyard's process.memoryUsage() read: RSS ${fixed(usage.rss, 0)} MB, V8 heap ${fixed(usage.heapUsed, 0)} MB used of ${fixed(usage.heapTotal, 0)} MB, external ${fixed(usage.external, 0)} MB (array buffers ${fixed(usage.arrayBuffers, 0)} MB).`;
  const peaks = results.grid.perCellPeaks
    ? 'Peak RSS is VmHWM, reset (`/proc/<pid>/clear_refs`) before each cell, so each column is the peak while that concurrency ran.'
    : 'Peak RSS is VmHWM since the process started (this kernel refused a reset), so columns only grow.';
  const underLoad = results.bundleUnderLoad;
  const bundleRows = underLoad.cells.map((found) => [
    String(found.concurrency),
    fixed(found.ttfbP50),
    fixed(found.cpuMsPerRequest),
    fixed(found.peakRssMb, 0),
    `${found.requests}${found.errors > 0 ? ` (${found.errors} errors)` : ''}`,
  ]);
  const bundleMemory = underLoad.memoryAfterMb;
  return [
    '### CPU per request (ms, user + system, of the gateway process)',
    table(['mode', 'c', ...GATEWAYS.map((name) => TARGET_LABELS[name]), STAND_IN_LABEL], cpuRows),
    '### Memory (RSS, MB) and start-up',
    table(['gateway', 'after warm-up', ...concurrencies.map((concurrency) => `peak at c=${concurrency}`), 'spawn → ready (ms)'], memoryRows),
    `${peaks} Switchyard's process holds the gateway and local mode's file usage sink. Local mode's DynamoDB stand-in (dynalite) runs in a process of its own, as DynamoDB is another service on AWS; its CPU and memory are the last column and row.${breakdown} "Ready" for Portkey is its first completed request.`,
    heapSection(results.heap),
    '### The Lambda bundle under the same load, DynamoDB out of its process',
    `The built bundle served over HTTP by the stand-in runtime (one Function URL event per request, all in one process), ${underLoad.mode}, with dynalite in a process of its own as DynamoDB is outside the function on AWS: the gateway's own CPU and memory, without local mode's file usage sink or tsx. RSS after warm-up: ${fixed(underLoad.idleRssMb, 0)} MB. (A Lambda instance serves one request at a time; the c=50 row is a long-running server's worst case.)`,
    table(['c', 'TTFB p50 (ms)', 'CPU per request (ms)', 'peak RSS (MB)', 'requests'], bundleRows),
    `After the last cell and a full garbage collection: RSS ${fixed(bundleMemory.rss, 0)} MB, V8 heap ${fixed(bundleMemory.heapUsed, 0)} MB used of ${fixed(bundleMemory.heapTotal, 0)} MB, external ${fixed(bundleMemory.external, 0)} MB.`,
  ].join('\n\n');
}

function upstreamShapeSection(cells: BenchResults['upstreamShape']): string {
  if (cells === undefined || cells.length === 0) return 'Not measured in this run.';
  const kinds = [...new Set(cells.map((cell) => cell.kind))];
  const of = (kind: string, upstream: string) => cells.find((cell) => cell.kind === kind && cell.upstream === upstream);
  const rows = kinds.map((kind) => {
    const json = of(kind, 'json');
    const stream = of(kind, 'stream');
    const saved = json === undefined || stream === undefined ? undefined : 1 - json.cpuMsPerRequest / stream.cpuMsPerRequest;
    return [
      kind,
      fixed(json?.cpuMsPerRequest),
      fixed(stream?.cpuMsPerRequest),
      saved === undefined ? 'n/a' : `${(saved * 100).toFixed(0)}%`,
      fixed(json?.ttfbP50),
      fixed(stream?.ttfbP50),
      `${json?.requests ?? 0} / ${stream?.requests ?? 0}${(json?.errors ?? 0) + (stream?.errors ?? 0) > 0 ? ' (errors)' : ''}`,
    ];
  });
  return [
    'A non-streamed request (50 tokens) at c=10 to the simulator, in a process of its own, on each wire kind it speaks; the same Switchyard asks the upstream for one JSON reply, then for a stream it assembles (`settings.jsonUpstream`).',
    table(['wire', 'CPU/request, JSON upstream (ms)', 'CPU/request, streamed upstream (ms)', 'CPU saved by JSON', 'TTFB p50, JSON upstream (ms)', 'TTFB p50, streamed upstream (ms)', 'requests'], rows),
  ].join('\n\n');
}

function heapSection(heap: BenchResults['heap']): string {
  if (heap === undefined) return '';
  return [
    '### What holds the heap in the middle of a c=50 load (1000-chunk streams)',
    `A heap snapshot of a separate Switchyard process with every one of 50 streams in flight: ${fixed(heap.liveHeapMb, 1)} MB live (a snapshot collects first) while the process's RSS was ${fixed(heap.rssMb, 0)} MB. The rest of the RSS is the Node binary and its native heap, code, and V8's young generation and free old-space pages, which hold garbage between collections, not live data.`,
    table(['held as', 'MB'], heap.holders.map((holder) => [holder.name === '' ? '(unnamed)' : `\`${holder.name}\``, fixed(holder.megabytes, 2)])),
  ].join('\n\n');
}

function bundleSection(results: BenchResults): string {
  const { bundle, coldStart } = results;
  const runs = coldStart.runs.map((run, index) => [
    String(index + 1),
    fixed(run.spawnToFirstByteMs, 1),
    fixed(run.bootMs, 1),
    fixed(run.importMs, 1),
    fixed(run.firstInvocationMs, 1),
    fixed(run.warmInvocationMs, 1),
  ]);
  const inputs = bundle.largestInputs.map((input) => [input.name, `${(input.bytes / 1024).toFixed(0)} KiB`]);
  return [
    `\`${bundle.file}\`: ${bundle.bytes.toLocaleString('en-US')} bytes in all (${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzipped), of which ${bundle.loadedAtStartBytes.toLocaleString('en-US')} bytes load at start (the entry and what it imports statically; the rest are chunks loaded on first use), built in ${(bundle.buildMs / 1000).toFixed(1)} s.`,
    `Process start → first body byte: median **${fixed(coldStart.medianMs, 1)} ms**, max ${fixed(coldStart.maxMs, 1)} ms over ${coldStart.runs.length} fresh processes. The columns after the first are the child's own clock (from its process start) and explain the total: Node's boot, the bundle's import (module initialisation: AWS SDK clients, catalog, middy), and the first invocation (key lookup and credit hold in DynamoDB, the upstream call, the first chunk). The second invocation in the same process shows the warm path.`,
    table(['run', 'spawn → first byte (ms)', 'Node boot (ms)', 'bundle import (ms)', 'first invocation → first byte (ms)', 'second (warm) invocation → first byte (ms)'], runs),
    warmPathSection(coldStart.warmPath),
    '### What the bundle holds (largest inputs, by bytes in the output)',
    table(['input', 'size'], inputs),
  ].join('\n\n');
}

function warmPathSection(warm: BenchResults['coldStart']['warmPath']): string {
  if (warm === undefined) return 'The warm path was not timed in this run.';
  return [
    `### The warm path in parts (${warm.invocations} warm invocations in one process, medians)`,
    'Each invocation is timed on the system clock, which the mock upstream also stamps its side with, so the first byte splits into what comes before the upstream has the request, the upstream\'s own time, and what comes after its first byte. The floor is the same upstream asked directly, with node:http, from the same process.',
    table(
      ['part', 'ms'],
      [
        ['handler called → upstream has the request (event → request, key check from cache, plan, credit lease, upstream request)', fixed(warm.beforeUpstreamMs)],
        ['upstream: request in → first byte out', fixed(warm.upstreamMs)],
        ['upstream first byte → client first byte (read, decode, encode, write)', fixed(warm.afterUpstreamMs)],
        ['**handler called → first body byte**', `**${fixed(warm.totalMs)}**`],
        ['the upstream asked directly: request → first byte', fixed(warm.directMs)],
        ['**added by the gateway**', `**${fixed(warm.addedMs)}**`],
      ],
    ),
  ].join('\n\n');
}

function profileSection(results: BenchResults): string {
  const parts: string[] = [];
  for (const summary of results.profile.summaries) {
    const perRequest = summary.requests === 0 ? Number.NaN : summary.busyMs / summary.requests;
    parts.push(
      `### ${summary.label}: ${summary.requests} requests in ${(summary.windowMs / 1000).toFixed(1)} s, ${fixed(summary.busyMs, 0)} ms of CPU (${fixed(perRequest)} ms per request)`,
      'Self time by area:',
      table(['area', 'self %', 'self ms'], summary.topAreas.map((line) => [line.name, fixed(line.selfPercent, 1), fixed(line.selfMs, 0)])),
      'Top functions by self time:',
      table(['function  location', 'self %', 'self ms'], summary.topFunctions.map((line) => [`\`${line.name.replaceAll('|', '\\|')}\``, fixed(line.selfPercent, 1), fixed(line.selfMs, 0)])),
    );
  }
  return parts.join('\n\n');
}

function gapsSection(results: BenchResults): string {
  const unmet = checkTargets(results).filter((check) => check.met === false);
  if (unmet.length === 0) return 'Every target was met in this run.';
  return unmet.map((check) => `- ${check.target}: ${check.measured} (limit ${check.limit}).`).join('\n');
}

export async function renderReport(results: BenchResults, resultsFile: string, benchDirectory: string): Promise<string> {
  const template = await readFile(path.join(benchDirectory, 'benchmarks-template.md'), 'utf8');
  const analysis = await readFile(path.join(benchDirectory, 'analysis.md'), 'utf8').catch(() => '');
  const values: Record<string, string> = {
    date: results.date,
    plan: results.plan,
    duration: `${(results.durationSeconds / 60).toFixed(1)} min`,
    commit: results.machine.commit,
    resultsFile,
    quickWarning:
      results.plan === 'quick'
        ? '> **Quick run** (`--quick`): few requests per cell, for developing the harness. Do not quote these figures.\n'
        : '',
    machine: machineSection(results),
    noise: noiseSection(results),
    rounds: String(results.workload.rounds),
    runBudget: (results.workload.runBudgetMs / 1000).toFixed(1),
    requestsPerRun: Object.entries(results.workload.requestsPerRun)
      .map(([concurrency, count]) => `${count} at c=${concurrency}`)
      .join(', '),
    firstTokenMs: String(results.workload.firstTokenMs),
    switchyardCommand: `node ${[...(results.switchyardNodeFlags ?? []), 'cli/local.ts'].join(' ')}`,
    targets: targetsSection(results),
    latency: latencySection(results),
    resources: resourceSection(results),
    upstreamShape: upstreamShapeSection(results.upstreamShape),
    bundle: bundleSection(results),
    profile: profileSection(results),
    gaps: gapsSection(results),
    parquetScan: await parquetScanSection(benchDirectory),
    soak: await soakSection(benchDirectory),
    analysis: analysis.trim(),
    // The Lambda sizes, bill, fleet and hot-account runs (bench/scale.ts): each from its own newest results file.
    ...(await scaleSections(benchDirectory)),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}
