// Markdown for the "cheap at any size" runs: one renderer per part, each
// given its own results file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './child-process.ts';
import { PRICES, PRICES_AS_OF } from './aws-prices.ts';
import { billLines, BILL_REQUESTS, requestCostUsd } from './bill.ts';
import type { BillResults, FleetResults, HotAccountResults, LambdaSizesResults } from './scale-results.ts';

const fixed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const signed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`);
const verdict = (met: boolean | undefined): string => (met === undefined ? 'not measured' : met ? '**met**' : '**not met**');

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function runLine(results: { date: string; plan: string; machine: { commit: string; cpus: number; loadAverageAtStart: number[] }; machineBusyPercent: number }, file: string): string {
  const quick = results.plan === 'quick' ? ' **Quick run: do not quote these figures.**' : '';
  return `Run of ${results.date}, commit \`${results.machine.commit}\`, raw numbers [\`bench/results/${file}\`](bench/results/${file}).${quick} The machine (${results.machine.cpus} cores) is shared with other work: it was ${results.machineBusyPercent.toFixed(0)}% busy in all while this ran (load average ${results.machine.loadAverageAtStart.map((value) => value.toFixed(1)).join(', ')} at the start), so the figures are those of a busy host.`;
}

/** The memory size infra/ deploys the gateway with, read from where it is set. */
export function deployedGatewayMemoryMb(): number | undefined {
  try {
    const source = readFileSync(path.join(repositoryRoot, 'infra', 'constructs', 'gateway-function.ts'), 'utf8');
    const found = /memorySize:\s*(\d+)/.exec(source)?.[1];
    return found === undefined ? undefined : Number(found);
  } catch {
    return undefined;
  }
}

export const TARGET_SIZE_MB = 512;
export const WARM_ADDED_FIRST_BYTE_LIMIT_MS = 5;
export const COLD_START_LIMIT_MS = 400;

/** What the rows say together: CPU per request does not depend on the size, so time does, through the CPU share. */
function cpuShareReading(rows: LambdaSizesResults['rows']): string {
  const spread = (values: number[]): number => (Math.max(...values) - Math.min(...values)) / Math.min(...values);
  const realistic = rows.map((row) => row.realistic.cpuMsPerRequest);
  const short = rows.map((row) => row.short.cpuMsPerRequest);
  const at = rows.find((row) => row.memoryMb === TARGET_SIZE_MB);
  if (at === undefined || rows.length < 2) return '';
  const share = at.cpuShare;
  return `Reading: a request's CPU time is the same at every size (realistic ${fixed(Math.min(...realistic), 0)}–${fixed(Math.max(...realistic), 0)} ms, short ${fixed(Math.min(...short))}–${fixed(Math.max(...short))} ms: within ${(100 * Math.max(spread(realistic), spread(short))).toFixed(0)}%), so what a size changes is how fast that CPU time is served: at ${TARGET_SIZE_MB} MB one CPU-millisecond takes about ${fixed(1 / share)} ms of wall time. The targets at ${TARGET_SIZE_MB} MB are therefore CPU budgets: ${WARM_ADDED_FIRST_BYTE_LIMIT_MS} ms added to the first byte allows about ${fixed(WARM_ADDED_FIRST_BYTE_LIMIT_MS * share)} ms of CPU before it, and a ${COLD_START_LIMIT_MS} ms cold start about ${fixed(COLD_START_LIMIT_MS * share, 0)} ms of CPU from process start to first byte (Node's boot, the bundle's import and the first request). Beyond the share, these runs competed for a machine that was fully busy, so the largest sizes gained less than their share promises.`;
}

export function renderSizes(results: LambdaSizesResults, file: string): string {
  if (results.skipped !== undefined) return `${runLine(results, file)}\n\nNot measured: ${results.skipped}.`;
  const rows = results.rows.map((row) => [
    `${row.memoryMb} MB`,
    `${(row.cpuShare * 100).toFixed(1)}% of a vCPU`,
    `${fixed(row.cold.medianMs, 0)} / ${fixed(row.cold.maxMs, 0)}`,
    signed(row.realistic.addedTtfbMs),
    `${fixed(row.realistic.totalP50, 0)} (${signed(row.realistic.addedTotalMs, 0)})`,
    fixed(row.realistic.cpuMsPerRequest, 0),
    signed(row.short.addedTtfbMs),
    fixed(row.short.cpuMsPerRequest, 1),
    fixed(row.peakRssMb, 0),
    fixed(row.boxPeakMb, 0),
    `${row.realistic.requests + row.short.requests}${row.realistic.errors + row.short.errors > 0 ? ` (${row.realistic.errors + row.short.errors} errors: ${row.realistic.firstError ?? row.short.firstError ?? ''})` : ''}`,
  ]);
  const at = results.rows.find((row) => row.memoryMb === TARGET_SIZE_MB);
  const warmMet = at === undefined ? undefined : at.realistic.addedTtfbMs <= WARM_ADDED_FIRST_BYTE_LIMIT_MS;
  const shortMet = at === undefined ? undefined : at.short.addedTtfbMs <= WARM_ADDED_FIRST_BYTE_LIMIT_MS;
  const coldMet = at === undefined ? undefined : at.cold.medianMs <= COLD_START_LIMIT_MS;
  const deployed = deployedGatewayMemoryMb();
  const plan = results.sizesPlan;
  return [
    runLine(results, file),
    `Each size in a cgroup (${results.cgroupVersion ?? '?'}) with the CPU share Lambda gives it (1,769 MB is one vCPU, proportional below: a CFS quota per 100 ms period) and its memory as a hard limit without swap; Node started with the Lambda runtime's heap flags for the size (a tenth of the memory young generation, the rest old space). DynamoDB (dynalite) and the mock upstream run outside the box. The realistic request: a 100 KB prompt, four tools, \`tool_choice: auto\`, answered by a 1000-chunk stream; the short one: one sentence, 50 chunks. Cold start: a fresh boxed process per run (${plan?.coldRuns ?? '?'} runs), spawn → first body byte of the realistic request to a provider that answers at once. Warm: one boxed process, one request at a time, ${plan?.rounds ?? '?'} rounds alternating with the same request sent to the mock upstream directly (${plan?.realisticPerRound ?? '?'} realistic and ${plan?.shortPerRound ?? '?'} short requests per round); "added" is the median over rounds of (gateway p50 − direct p50).`,
    table(
      ['memory', 'CPU', 'cold start, median / max (ms)', 'realistic: added first byte (ms)', 'realistic: 1000-chunk total p50 (added) (ms)', 'realistic: CPU/request (ms)', 'short: added first byte (ms)', 'short: CPU/request (ms)', 'peak RSS (MB)', 'box peak (MB)', 'requests'],
      rows,
    ),
    table(
      ['target (issue 22, at 512 MB)', 'limit', 'measured', ''],
      [
        ['warm request: added first byte, realistic request', `≤ ${WARM_ADDED_FIRST_BYTE_LIMIT_MS} ms`, `${signed(at?.realistic.addedTtfbMs)} ms`, verdict(warmMet)],
        ['warm request: added first byte, short request', `≤ ${WARM_ADDED_FIRST_BYTE_LIMIT_MS} ms`, `${signed(at?.short.addedTtfbMs)} ms`, verdict(shortMet)],
        ['cold start to first byte (median)', `≤ ${COLD_START_LIMIT_MS} ms`, `${fixed(at?.cold.medianMs, 0)} ms`, verdict(coldMet)],
      ],
    ),
    cpuShareReading(results.rows),
    `The gateway is deployed at **${deployed ?? '?'} MB** (\`infra/constructs/gateway-function.ts\`).`,
  ].join('\n\n');
}

const usd = (value: number): string => (value === 0 ? '$0' : value >= 0.01 ? `$${value.toFixed(4)}` : `$${value.toPrecision(3)}`);

export function renderBill(results: BillResults, file: string): string {
  const { result } = results;
  const parts: string[] = [
    runLine(results, file),
    `Prices as of ${PRICES_AS_OF}: Lambda Arm $${PRICES.lambdaArmPerGbSecond} per GB-s and $0.20 per million requests; DynamoDB on-demand $0.625 per million write units and $0.125 per million read units; Firehose $0.029 per GB with each record rounded up to 5 KB; S3 $0.005 per 1,000 PUTs and $0.023 per GB-month; Athena $5 per TB scanned; Secrets Manager $0.05 per 10,000 calls; CloudWatch Logs $0.50 per GB ingested. Counted, not estimated: DynamoDB units through a proxy in front of dynalite that asks each call's consumed capacity; Firehose records and their bytes, and Secrets Manager calls, on a loopback stand-in; log bytes as the function wrote them to stdout and stderr. The bundle ran as one warm execution environment, one request at a time, ${result.boxed ? `in a ${result.memoryMb} MB box (bench/cgroup.ts)` : 'unboxed (cgroups not writable)'}; Lambda's duration is the upstream's time (set: a real provider's) plus the gateway's own, measured (total time less the same request sent directly). The request's price is Claude Sonnet 4.5's ($3 / $15 per million tokens); OpenRouter's fee is its ${(PRICES.openRouterFee * 100).toFixed(1)}% on the credit that pays for it.`,
  ];
  for (const kind of BILL_REQUESTS) {
    const counted = result.perRequest[kind.name];
    const lines = billLines(result, kind);
    const total = lines.reduce((sum, line) => sum + line.usd, 0);
    const request = requestCostUsd(kind);
    const fee = request * PRICES.openRouterFee;
    parts.push(
      `### ${kind.label}, at ${result.memoryMb} MB`,
      table(
        ['item', 'counted per request', 'per request', 'per million requests'],
        [
          ...lines.map((line) => [line.item, line.counted, usd(line.usd), `$${(line.usd * 1e6).toFixed(2)}`]),
          ['**all of AWS**', '', `**${usd(total)}**`, `**$${(total * 1e6).toFixed(2)}**`],
          [`OpenRouter's fee on the same request (${(PRICES.openRouterFee * 100).toFixed(1)}% of ${usd(request)})`, '', usd(fee), `$${(fee * 1e6).toFixed(0)}`],
        ],
      ),
      `DynamoDB calls per request: ${Object.entries(counted.dynamoCalls).map(([operation, calls]) => `${operation} ${calls.toFixed(2)}`).join(', ')} (${counted.requests} requests${counted.errors > 0 ? `, ${counted.errors} errors` : ''}; the gateway's own time ${counted.gatewayMs.toFixed(0)} ms). All of AWS is **${((100 * total) / fee).toFixed(1)}% of OpenRouter's fee** (goal: under 10%): ${verdict(total < fee / 10)}.`,
    );
  }
  const start = result.containerStart;
  parts.push(
    `Once per execution environment (a cold start), beyond its requests: DynamoDB ${Object.entries(start.dynamoCalls).filter(([, calls]) => calls > 0.001).map(([operation, calls]) => `${operation} ${calls.toFixed(1)}`).join(', ') || 'nothing'} (${start.dynamoWriteUnits.toFixed(1)} write and ${start.dynamoReadUnits.toFixed(1)} read units), ${start.secretsCalls} Secrets Manager call, ${Math.max(0, start.logBytes).toFixed(0)} log bytes: ${usd(start.dynamoWriteUnits * PRICES.dynamoPerWriteUnit + start.dynamoReadUnits * PRICES.dynamoPerReadUnit + start.secretsCalls * PRICES.secretsPerCall)}, plus the start-up's billed duration (Lambda bills INIT since August 2025: the cold start above × ${result.memoryMb} MB).`,
  );
  return parts.join('\n\n');
}

export function renderFleet(runs: { results: FleetResults; file: string }[]): string {
  // The goals are checked on the newest run of the code as it is, not on a run kept to show the code before a fix.
  const latest = runs.filter((run) => !(run.results.label ?? '').startsWith('before')).at(-1) ?? runs.at(-1);
  if (latest === undefined) return 'Not measured yet: run `node bench/scale.ts fleet`.';
  const rows = runs.map(({ results, file }) => {
    const r = results.result;
    return [
      `[${results.label ?? results.date}](bench/results/${file})`,
      `${r.processes}`,
      `${(r.balanceMicros / r.worstCaseMicros).toFixed(0)} (${usd(r.balanceMicros / 1e6)})`,
      `${r.admitted} / ${r.refused}${r.errors > 0 ? ` / ${r.errors} errors` : ''}`,
      `${r.overspendMicros} µ$`,
      `${r.falseRefusals}`,
      r.refused === 0 ? 'no refusal' : `${r.leftAtFirstRefusalWorstCases.toFixed(1)}`,
      `${r.leftAtEndWorstCases.toFixed(2)}`,
      `${r.accountItem.writesPerAdmitted.toFixed(2)} (${r.accountItem.writeUnitsPerAdmitted.toFixed(2)} WCU)`,
      `${r.accountItem.meanWritesPerSecond.toFixed(0)} / ${r.accountItem.peakWritesPerSecond}`,
      `${(r.allItems.writes / Math.max(1, r.admitted)).toFixed(2)}`,
      `${r.admittedPerSecond.toFixed(0)}`,
      `${(r.durationMs / 1000).toFixed(0)} s (${r.durationMs >= results.fleetPlan.budgetMs ? 'time budget' : `${results.fleetPlan.refusalsInARow} refusals in a row`})`,
    ];
  });
  const r = latest.results.result;
  return [
    runLine(latest.results, latest.file),
    `${r.processes} processes, each the built bundle under the Lambda runtime stand-in (unboxed: fifty 512 MB boxes on two shared cores would measure the scheduler), each sent one request at a time as one Lambda execution environment is, against one dynalite process behind the counting proxy; one account, one key; every process at once until ${latest.results.fleetPlan.refusalsInARow} requests in a row were refused or ${(latest.results.fleetPlan.budgetMs / 1000).toFixed(0)} s passed. The request: a short prompt and a 50-chunk stream at Claude Sonnet 4.5's prices: worst case ${r.worstCaseMicros} µ$ (what is held), charge ${r.chargeMicros} µ$ (what the mock upstream's usage costs). A refusal is false when what the balance had left (less what was in flight) still covered ten times the worst case of a request in every process. Peak RSS of a process: ${r.peakRssMb.toFixed(0)} MB.`,
    table(
      ['run', 'processes', 'balance (worst cases)', 'admitted / refused', 'overspend', 'false 402s', 'left at the first 402 (worst cases)', 'left at the end (worst cases)', 'account item writes per admitted request', 'account item writes/s, mean / peak', 'all DynamoDB writes per request', 'admitted/s', 'length (ended by)'],
      rows,
    ),
    table(
      ['goal (issue 22, latest run)', 'measured', ''],
      [
        ['overspend 0', `${r.overspendMicros} µ$ (store: ${r.store.availableMicros} µ$ available, ${r.store.spentMicros} µ$ spent, ${r.store.heldMicros} µ$ still held in ${r.store.holds} holds)`, verdict(r.overspendMicros === 0 && r.store.availableMicros >= 0)],
        ['no false 402 while the balance covers 10 × the worst case in flight', `${r.falseRefusals}`, verdict(r.falseRefusals === 0)],
        ['admission to within one worst case of empty', `${r.leftAtEndWorstCases.toFixed(2)} worst cases left`, verdict(r.leftAtEndWorstCases < 1)],
      ],
    ),
  ].join('\n\n');
}

export function renderHotAccount(results: HotAccountResults, file: string): string {
  const rows = results.runs.map((run) => [
    run.label,
    `${run.environments}`,
    `${run.accountWritesPerRequest.toFixed(2)}`,
    `${run.accountItem.meanWritesPerSecond.toFixed(0)}`,
    `**${run.accountItem.meanWriteUnitsPerSecond.toFixed(0)}**`,
    `${(run.accountItem.maxItemBytes / 1024).toFixed(1)} KB`,
    `${run.keyItem.meanWriteUnitsPerSecond.toFixed(0)}`,
    `${run.failed}${run.oversizedWrites > 0 ? ` (${run.oversizedWrites} writes over 400 KB)` : ''}`,
    run.accountItem.meanWriteUnitsPerSecond <= 1000 ? 'within' : `${(run.accountItem.meanWriteUnitsPerSecond / 1000).toFixed(0)} ×`,
  ]);
  const first = results.runs[0];
  return [
    runLine(results, file),
    `Simulated (bench/hot-account.ts): ${first?.rps ?? '?'} requests a second on one account and one key, each ${first?.durationMs ?? '?'} ms long, for ${first?.simulatedSeconds ?? '?'} simulated seconds; the real ledger (one per execution environment, Lambda's routing of one request at a time per environment) and the real store writes, against an in-memory table that applies them and counts writes and write units (1 KB each, the larger of the item before and after) per item per second, and refuses an item over 400 KB as DynamoDB does. Steady seconds only. DynamoDB's limit is per partition, and one item never spans two: 1,000 write units and 3,000 read units a second. Reads of the account item, at most ${Math.max(0, ...results.runs.map((run) => run.accountItem.peakReadsPerSecond))} a second in any variant, are far from their limit: writes are what binds. The derivation, and what each variant leaves for the next ceiling (the key's spend counter), is in [docs/scaling.md](docs/scaling.md).`,
    table(['variant', 'environments', 'account writes per request', 'busiest account item: writes/s', 'busiest account item: WCU/s', 'its largest size', 'key item: WCU/s', 'requests failed', 'against 1,000 WCU/s'], rows),
  ].join('\n\n');
}
