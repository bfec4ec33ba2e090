// Switchyard in local mode, alone in its process, as `npm start` runs it:
// `startLocalGateway` with a data folder on disk (a fresh temporary one,
// removed at exit), a catalog whose model points at the harness's mock upstream,
// and a balance far above any worst case (the normal, healthy case).
// Arguments: the upstream's origin, and optionally a variant (see below). Its in-process stand-ins (dynalite with
// LevelDB under the data folder, the file usage sink) are part of local mode,
// so their cost is counted with it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { startLocalGateway } from '../../cli/local-gateway.ts';
import type { Settings } from '../../lib/settings.ts';
import { soakCatalog } from '../soak-workload.ts';
import { switchyardCatalog, upstreamShapeCatalog } from '../workload.ts';
import { answerSoakQueries } from './soak-queries.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const upstreamUrl = process.argv[2] ?? '';
/** Optional, for the upstream-shape pass (`{"catalog":"upstream-shape","settings":{…}}`) or the soak (`{"catalog":"soak"}`, the upstream being the simulator process). */
const variant = JSON.parse(process.argv[3] ?? '{}') as { catalog?: 'upstream-shape' | 'soak'; settings?: Partial<Settings> };
const dataDir = await mkdtemp(path.join(tmpdir(), 'switchyard-bench-'));
const gateway = await startLocalGateway({
  port: 0,
  dataDir,
  env: {},
  catalogDocument:
    variant.catalog === 'upstream-shape' ? upstreamShapeCatalog(upstreamUrl) : variant.catalog === 'soak' ? soakCatalog(upstreamUrl) : switchyardCatalog(upstreamUrl),
  ...(variant.settings === undefined ? {} : { settings: variant.settings }),
  // $1,000,000: the balance never comes near a request's worst case.
  seedCreditsMicros: 1_000_000_000_000,
  log: (entry) => {
    if (entry.level === 'error' || entry.level === 'warn') console.error(JSON.stringify(entry));
  },
});
exitWhenAsked(async () => {
  await gateway.close();
  await rm(dataDir, { recursive: true, force: true });
});
answerQueries();
// `idle`: answered once every started bookkeeping task (settlement, records, usage) has finished,
// so the harness can charge that work to the run that caused it.
process.on('message', (message: unknown) => {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  if (type === 'idle') void gateway.idle().finally(() => process.send?.({ type: 'idle' }));
  // `heap-snapshot`: the heap as it is now, to a file the harness reads (bench/heap-pass.ts).
  if (type === 'heap-snapshot') process.send?.({ type, file: writeHeapSnapshot(path.join(dataDir, 'heap.heapsnapshot')) });
});
if (variant.catalog === 'soak') answerSoakQueries(gateway, dataDir);
announce({ type: 'ready', url: gateway.url, apiKey: gateway.keys.apiKey, dynamoPid: gateway.dynamoPid });
