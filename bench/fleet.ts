// A fleet on one balance: many gateway processes (the built bundle under the
// Lambda runtime stand-in, each served one request at a time as a Lambda
// execution environment is) against one DynamoDB stand-in (one dynalite
// process, behind the counting proxy), one account, one key, all at once,
// until the balance runs out. Bounded in requests and time; loopback only.
//
// What it shows: overspend (charged beyond the balance), false 402s (refused
// while the balance still covered ten times the worst case of what was in
// flight), how close to empty admission went (what was left when every
// process was being refused), and DynamoDB writes on the account item per
// request and per second.
import { performance } from 'node:perf_hooks';
import { costOf, worstCaseMicros } from '../lib/billing/cost.ts';
import { maxPromptTokens } from '../lib/billing/prompt-size.ts';
import type { ChatRequest } from '../lib/api/chat-request.ts';
import { getAccount } from '../lib/store/accounts.ts';
import { nextMessage, type StartedProcess } from './child-process.ts';
import type { DynamoCounter } from './counted-aws.ts';
import type { LambdaEnvironment } from './lambda-cold-start.ts';
import { gatewayBody, REFERENCE_PRICING, startBoxed, type RequestShape } from './lambda-box.ts';
import { createAgent, runLoad } from './load-client.ts';
import { memory } from './process-stats.ts';
import { SWITCHYARD_MODEL, type Target } from './workload.ts';

export const FLEET_SHAPE: RequestShape = { promptBytes: 200, tools: false, stream: true, maxTokens: 50 };
/** The mock upstream's usage for every reply: 24 prompt tokens, `max_tokens` completion tokens. */
const MOCK_PROMPT_TOKENS = 24;

export interface FleetPlan {
  processes: number;
  /** The balance, in worst cases of the drill's request. */
  balanceWorstCases: number;
  /** Stop once this many requests in a row, fleet-wide, were refused… */
  refusalsInARow: number;
  /** …or after this long. */
  budgetMs: number;
}

export const FLEET_PLAN: FleetPlan = { processes: 50, balanceWorstCases: 700, refusalsInARow: 300, budgetMs: 150_000 };

interface Outcome {
  process: number;
  startedAt: number;
  endedAt: number;
  status: 'ok' | 'refused' | 'error';
  /** Requests admitted and not yet ended, fleet-wide, when this one was sent. */
  admittedBefore: number;
}

export interface FleetResult {
  processes: number;
  worstCaseMicros: number;
  chargeMicros: number;
  balanceMicros: number;
  requests: number;
  admitted: number;
  refused: number;
  errors: number;
  firstError?: string;
  /** Charged beyond the balance, µ$: admitted × charge − balance, at least 0. */
  overspendMicros: number;
  /** The store's own books at the end. */
  store: { availableMicros: number; spentMicros: number; heldMicros: number; holds: number; leases: number };
  /** Refusals while the balance left covered ≥ 10 × the worst case of what was in flight. */
  falseRefusals: number;
  /** The balance left (balance − admitted × charge) when the first refusal came, and at the end, in worst cases. */
  leftAtFirstRefusalWorstCases: number;
  leftAtEndWorstCases: number;
  durationMs: number;
  accountItem: { writes: number; writeUnits: number; writesPerAdmitted: number; writeUnitsPerAdmitted: number; peakWritesPerSecond: number; meanWritesPerSecond: number; failedConditions: number };
  allItems: { writes: number; writeUnits: number };
  /** Fleet-wide admitted requests per second while the balance lasted. */
  admittedPerSecond: number;
  peakRssMb: number;
}

export async function runFleet(options: { environment: LambdaEnvironment; dynamo: DynamoCounter; plan: FleetPlan; log: (line: string) => void }): Promise<FleetResult> {
  const { environment, dynamo, plan, log } = options;
  const body = gatewayBody(FLEET_SHAPE);
  const worstCase = worstCaseMicros(maxPromptTokens(JSON.parse(body) as ChatRequest), FLEET_SHAPE.maxTokens, REFERENCE_PRICING);
  const charge = costOf({ promptTokens: MOCK_PROMPT_TOKENS, completionTokens: FLEET_SHAPE.maxTokens, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, REFERENCE_PRICING).totalMicros;
  const account = await getAccount(environment.table, environment.accountId);
  const balance = account?.availableMicros ?? 0;
  log(`  worst case ${worstCase} µ$, charge ${charge} µ$, balance ${balance} µ$ (${(balance / worstCase).toFixed(0)} worst cases); starting ${plan.processes} processes`);

  const processes: StartedProcess[] = [];
  try {
    for (let index = 0; index < plan.processes; index += 1) {
      processes.push(startBoxed({ name: `fleet process ${index}`, memoryMb: 512, box: undefined, env: { ...environment.env, SWITCHYARD_BENCH_MODE: 'serve' } }));
    }
    const urls = await Promise.all(processes.map(async (started) => (await nextMessage<{ type: 'ready'; url: string }>(started, 'ready', 180_000)).url));
    log(`  ${plan.processes} processes ready`);
    dynamo.reset();
    const outcomes: Outcome[] = [];
    let admittedInFlight = 0;
    let refusedInARow = 0;
    let firstError: string | undefined;
    const startedAt = performance.now();
    const stop = (): boolean => refusedInARow >= plan.refusalsInARow || performance.now() - startedAt > plan.budgetMs;
    const worker = async (index: number): Promise<void> => {
      const target: Target = { name: 'switchyard', url: new URL(`${urls[index] as string}/api/v1/chat/completions`), model: SWITCHYARD_MODEL, headers: { authorization: `Bearer ${environment.apiKey}` } };
      const agent = createAgent(1);
      while (!stop()) {
        const sentAt = performance.now();
        const admittedBefore = admittedInFlight;
        admittedInFlight += 1;
        const result = await runLoad(target, { concurrency: 1, count: 1, budgetMs: 60_000, body, stream: true }, agent);
        admittedInFlight -= 1;
        const refused = result.firstError?.startsWith('HTTP 402') === true;
        const status = result.ttfb.length === 1 ? 'ok' : refused ? 'refused' : 'error';
        if (status === 'error') firstError ??= result.firstError;
        refusedInARow = status === 'refused' ? refusedInARow + 1 : 0;
        outcomes.push({ process: index, startedAt: sentAt - startedAt, endedAt: performance.now() - startedAt, status, admittedBefore });
      }
      agent.destroy();
    };
    await Promise.all(processes.map((_, index) => worker(index)));
    const durationMs = performance.now() - startedAt;
    // Let the last settlements and lease flushes land.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const counts = dynamo.counts();
    const books = await getAccount(environment.table, environment.accountId);
    const peakRssMb = Math.max(...processes.map((started) => readPeakRss(started.pid)));

    const admitted = outcomes.filter((outcome) => outcome.status === 'ok');
    // Walk the outcomes in end order: what the balance had left when each refusal came.
    const byEnd = [...outcomes].sort((a, b) => a.endedAt - b.endedAt);
    let charged = 0;
    let falseRefusals = 0;
    let leftAtFirstRefusal: number | undefined;
    for (const outcome of byEnd) {
      if (outcome.status === 'ok') charged += charge;
      if (outcome.status !== 'refused') continue;
      // In flight when it was refused: at most one request per process, each at most a worst case.
      const inFlightWorstCase = plan.processes * worstCase;
      const left = balance - charged - (plan.processes - 1) * charge;
      leftAtFirstRefusal ??= balance - charged;
      if (left >= 10 * inFlightWorstCase) falseRefusals += 1;
    }
    const accountWrites = counts.writes.filter((write) => write.pk === `ACCOUNT#${environment.accountId}`);
    const perSecond = new Map<number, number>();
    for (const write of accountWrites) {
      const second = Math.floor((write.at - (counts.writes[0]?.at ?? 0)) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    const lastAdmittedAt = Math.max(0, ...admitted.map((outcome) => outcome.endedAt));
    const heldMicros = (books?.holds ?? []).reduce((sum, hold) => sum + hold.amountMicros, 0);
    return {
      processes: plan.processes,
      worstCaseMicros: worstCase,
      chargeMicros: charge,
      balanceMicros: balance,
      requests: outcomes.length,
      admitted: admitted.length,
      refused: outcomes.filter((outcome) => outcome.status === 'refused').length,
      errors: outcomes.filter((outcome) => outcome.status === 'error').length,
      ...(firstError === undefined ? {} : { firstError }),
      overspendMicros: Math.max(0, admitted.length * charge - balance),
      store: {
        availableMicros: books?.availableMicros ?? Number.NaN,
        spentMicros: books?.spentMicros ?? Number.NaN,
        heldMicros,
        holds: books?.holds.length ?? 0,
        leases: (books?.holds ?? []).filter((hold) => hold.id.startsWith('lease-')).length,
      },
      falseRefusals,
      leftAtFirstRefusalWorstCases: (leftAtFirstRefusal ?? Number.NaN) / worstCase,
      leftAtEndWorstCases: (balance - admitted.length * charge) / worstCase,
      durationMs,
      accountItem: {
        writes: accountWrites.length,
        writeUnits: accountWrites.reduce((sum, write) => sum + write.units, 0),
        writesPerAdmitted: accountWrites.length / Math.max(1, admitted.length),
        writeUnitsPerAdmitted: accountWrites.reduce((sum, write) => sum + write.units, 0) / Math.max(1, admitted.length),
        peakWritesPerSecond: Math.max(0, ...perSecond.values()),
        meanWritesPerSecond: accountWrites.length / Math.max(1, durationMs / 1000),
        failedConditions: accountWrites.filter((write) => write.failedCondition).length,
      },
      allItems: { writes: counts.writes.length, writeUnits: counts.writeUnits },
      admittedPerSecond: admitted.length / Math.max(0.001, lastAdmittedAt / 1000),
      peakRssMb,
    };
  } finally {
    await Promise.allSettled(processes.map((started) => started.stop()));
  }
}

function readPeakRss(pid: number): number {
  try {
    return memory(pid).peakRssMb;
  } catch {
    return Number.NaN;
  }
}
