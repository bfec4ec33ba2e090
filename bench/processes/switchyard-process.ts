// Switchyard in local mode, alone in its process: `startLocalGateway` with a
// catalog whose model points at the harness's simulator, and a balance far
// above any worst case (the normal, healthy case). Argument: the simulator's
// origin. Its in-process stand-ins (dynalite, the file usage sink) are part
// of local mode, so their cost is counted with it.
import { rm } from 'node:fs/promises';
import { startLocalGateway } from '../../cli/local-gateway.ts';
import { switchyardCatalog } from '../workload.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const simulatorUrl = process.argv[2] ?? '';
const gateway = await startLocalGateway({
  port: 0,
  dataDir: undefined,
  env: {},
  catalogDocument: switchyardCatalog(simulatorUrl),
  // $1,000,000: the balance never comes near a request's worst case.
  seedCreditsMicros: 1_000_000_000_000,
  log: (entry) => {
    if (entry.level === 'error' || entry.level === 'warn') console.error(JSON.stringify(entry));
  },
});
exitWhenAsked(async () => {
  await gateway.close();
  await rm(gateway.usageDirectory, { recursive: true, force: true });
});
answerQueries();
// `idle`: answered once every started bookkeeping task (settlement, records, usage) has finished,
// so the harness can charge that work to the run that caused it.
process.on('message', (message: unknown) => {
  if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'idle') {
    void gateway.idle().finally(() => process.send?.({ type: 'idle' }));
  }
});
announce({ type: 'ready', url: gateway.url, apiKey: gateway.keys.apiKey });
