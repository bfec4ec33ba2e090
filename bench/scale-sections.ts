// Markdown for the "cheap at any size" runs: one renderer per part, each
// given its own results file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './child-process.ts';
import type { LambdaSizesResults } from './scale-results.ts';

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
    `The gateway is deployed at **${deployed ?? '?'} MB** (\`infra/constructs/gateway-function.ts\`).`,
  ].join('\n\n');
}
