// BENCHMARKS.md's soak section, from the newest bench/results/soak-*.json
// (written by `npm run bench -- --soak`, bench/soak.ts): read at every render,
// so a later full run keeps showing the latest soak.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { slope, type SoakResults } from './soak.ts';

const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const signed = (value: number, digits = 2): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : 'n/a');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export async function soakSection(benchDirectory: string): Promise<string> {
  const files = (await readdir(path.join(benchDirectory, 'results')).catch(() => [])).filter((name) => /^soak-.*\.json$/.test(name)).sort();
  const latest = files.at(-1);
  if (latest === undefined) return 'No soak has been run yet: `npm run bench -- --soak`.';
  const results = JSON.parse(await readFile(path.join(benchDirectory, 'results', latest), 'utf8')) as SoakResults;
  const { slopes, ledger, options } = results;
  const minutes = results.durationSeconds / 60;
  const warm = results.samples.filter((sample) => sample.seconds >= options.warmUpMinutes * 60);
  const span = ((warm.at(-1)?.seconds ?? 0) - (warm[0]?.seconds ?? 0)) / 3600;
  const machine =
    results.load.otherPercent >= 5
      ? `The machine was **shared**: other work took ${fixed(results.load.otherPercent, 0)}% of its ${results.load.cores} cores' capacity while the soak ran (the whole machine was ${fixed(results.load.machinePercent, 0)}% busy), so the request rate was set to what fits beside it, not to what local mode can serve.`
      : `The machine was otherwise idle (${fixed(results.load.otherPercent, 0)}% other work).`;
  const rows = Object.entries(results.requests).map(([kind, count]) => [kind, String(count.sent), String(count.expected), String(count.unexpected), count.firstUnexpected ?? '']);
  const rateOver = (from: number, to: number): string => {
    const window = results.samples.filter((sample) => sample.seconds >= from && sample.seconds <= to);
    const [first, last] = [window[0], window.at(-1)];
    return first === undefined || last === undefined || last.seconds === first.seconds ? 'n/a' : fixed((last.requests - first.requests) / (last.seconds - first.seconds), 0);
  };
  // Where RSS rose: each rise of more than 5 MB between two samples, with the rate of that interval.
  const intervals = results.samples.slice(1).map((sample, index) => {
    const before = results.samples[index] as (typeof results.samples)[number];
    return { at: sample.seconds, rate: (sample.requests - before.requests) / (sample.seconds - before.seconds), rise: sample.rssMb - before.rssMb };
  });
  const rates = intervals.map((entry) => entry.rate).sort((a, b) => a - b);
  const medianRate = rates[Math.floor(rates.length / 2)] ?? Number.NaN;
  const rises = intervals.filter((entry) => entry.at >= options.warmUpMinutes * 60 && entry.rise > 5);
  const risesText =
    rises.length === 0
      ? 'After the warm-up RSS never rose by more than 5 MB between two samples.'
      : `After the warm-up RSS rose by more than 5 MB between two samples ${rises.length === 1 ? 'once' : `${rises.length} times`}: ${rises
          .map((entry) => `+${fixed(entry.rise, 1)} MB at ${fixed(entry.at / 60, 1)} min, in an interval that served ${fixed(entry.rate, 0)} requests/s`)
          .join('; ')} (the run's median interval served ${fixed(medianRate, 0)}/s, its fastest ${fixed(rates.at(-1) ?? Number.NaN, 0)}/s). RSS is a high-water mark of what the process allocated at once (more requests in flight, more buffers), which V8 and the allocator keep; between these rises it stayed level while the heap after a collection did not grow.`;
  const dynamo = warm.every((sample) => sample.dynamoRssMb !== undefined) ? slope(warm, (sample) => sample.dynamoRssMb as number) : undefined;
  const growth = (slope: { perHour: number; first: number; last: number }, unit: string): string[] => [
    `${fixed(slope.first, 1)} ${unit}`,
    `${fixed(slope.last, 1)} ${unit}`,
    `${signed(slope.perHour)} ${unit}/h`,
    `${signed(slope.perHour * span)} ${unit}`,
  ];
  return [
    `Run of ${results.date}: [\`bench/results/${latest}\`](bench/results/${latest}). Local mode (\`startLocalGateway\` with a data folder, as \`npm start\` runs it) in front of the provider simulator in a process of its own, for ${fixed(minutes, 1)} min: ${results.total} requests paced at up to ${options.rate}/s with up to ${options.concurrency} in flight, in a fixed rotation of JSON replies, streams, streams the client cancels after the first bytes, requests to a model whose cheaper provider fails half its requests with a 503 (so they fail over), and refusals (alternately a 400 for a \`tool_choice\` naming no tool and a 401 for an \`Authorization\` header that is not a key). ${machine}`,
    '',
    table(['kind', 'sent', 'as expected', 'unexpected', 'first unexpected'], rows),
    '',
    `Requests answered per second: ${rateOver(0, 300)} over the first five minutes, ${rateOver(results.durationSeconds - 300, results.durationSeconds)} over the last five.`,
    '',
    `Local mode's process, sampled every ${options.sampleEverySeconds} s (RSS from /proc, the heap after a full collection, the event loop's active handles and requests); the slope is a least-squares fit over the ${warm.length} samples after the ${options.warmUpMinutes}-minute warm-up:`,
    '',
    table(
      ['', 'after warm-up', 'at the end', 'slope', `over the ${fixed(span * 60, 0)} min fitted`],
      [
        ['RSS', ...growth(slopes.rssMb, 'MB')],
        ['heap used', ...growth(slopes.heapUsedMb, 'MB')],
        ['active handles', ...growth(slopes.handles, '')],
        ...(dynamo === undefined ? [] : [['DynamoDB stand-in (dynalite) RSS', ...growth(dynamo, 'MB')]]),
      ],
    ),
    '',
    risesText,
    ...(dynamo === undefined
      ? []
      : [
          '',
          `The DynamoDB stand-in is local mode's embedded dynalite (LevelDB under the data folder) in its own process. Its RSS grew steadily with the requests served, while the run stored two generation items per request besides rollups and health: ${fixed(dynamo.last, 0)} MB after ${results.total} requests. Why (LevelDB's caches, dynalite's own structures) this run does not measure. It is not the gateway's memory (on AWS, DynamoDB is a service), but a local mode that serves many requests pays it.`,
        ]),
    '',
    `The ledger at the end, read back from the store after a graceful shutdown (${ledger.shutdown.inFlight} requests in flight at the stop, ${ledger.shutdown.cut} cut): credits ${ledger.creditsMicros} µ$ = available ${ledger.availableMicros} µ$ + spent ${ledger.spentMicros} µ$ with ${ledger.holds} holds left (${ledger.heldMicros} µ$); the ${ledger.records} usage records charge ${ledger.recordedCostMicros} µ$ in all (${ledger.fallbacks} served after a failover, which come in bursts: five failures in a minute open the flaky provider's breaker and it goes last for the next minute; ${ledger.cancelled} cancelled by their client). **${results.ledgerExact ? 'Exact' : 'Not exact'}.**`,
  ].join('\n');
}
