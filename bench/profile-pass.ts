// Switchyard under the c=10 load of each mode with Node's own profiler
// (`--cpu-prof`), in a process of its own so the measured runs carry no
// profiler overhead. The profile is cut to the load's window (start-up and
// warm-up excluded) by asking the process for its monotonic clock.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchPlan } from './bench-plan.ts';
import { query, repositoryRoot } from './child-process.ts';
import { summariseProfile, type ProfileSummary, type ProfileWindow } from './cpu-profile.ts';
import { startSwitchyard } from './gateways.ts';
import { createAgent, runLoad } from './load-client.ts';
import { MODES, requestBody } from './workload.ts';

const PROFILED_CONCURRENCY = 10;

export interface ProfileResult {
  summaries: ProfileSummary[];
  /** The raw profile, left in the system's temporary folder for DevTools (not committed: it is megabytes). */
  file: string;
}

export async function profileSwitchyard(upstreamUrl: string, plan: BenchPlan): Promise<ProfileResult> {
  const directory = await mkdtemp(path.join(tmpdir(), 'switchyard-bench-profile-'));
  let keep = false;
  try {
    const running = await startSwitchyard(upstreamUrl, { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', directory] });
    const started = running.process;
    if (started === undefined) throw new Error('Switchyard has no process');
    const clock = async (): Promise<number> => (await query<{ type: 'clock'; micros: number }>(started, 'clock')).micros;
    const windows: ProfileWindow[] = [];
    const agent = createAgent(PROFILED_CONCURRENCY);
    for (const mode of MODES) {
      const body = requestBody(running.target.model, mode);
      await runLoad(running.target, { concurrency: PROFILED_CONCURRENCY, count: plan.warmUpRequests, budgetMs: plan.runBudgetMs * 2, body, stream: mode.stream }, agent);
      const fromMicros = await clock();
      const result = await runLoad(
        running.target,
        { concurrency: PROFILED_CONCURRENCY, count: Number.POSITIVE_INFINITY, budgetMs: plan.profileSeconds * 1000, body, stream: mode.stream },
        agent,
      );
      const toMicros = await clock();
      windows.push({ label: `${mode.name}, concurrency ${PROFILED_CONCURRENCY}`, fromMicros, toMicros, requests: result.ttfb.length });
    }
    agent.destroy();
    await started.stop();
    const file = (await readdir(directory)).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('Switchyard wrote no CPU profile');
    const summaries = await summariseProfile(path.join(directory, file), windows, repositoryRoot);
    keep = true;
    return { summaries, file: path.join(directory, file) };
  } finally {
    if (!keep) await rm(directory, { recursive: true, force: true });
  }
}
