// The provider simulator alone in its process, for the soak (../soak.ts):
// its two providers (../soak-workload.ts), so Switchyard's process holds only
// the gateway and what local mode embeds.
import { serve } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { soakSimulatorCatalog } from '../soak-workload.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const simulator = createSimulator({ catalog: createCatalog(soakSimulatorCatalog(), { source: 'soak simulator catalog' }) });
const server = await serve((request) => simulator.handle(request));
exitWhenAsked(() => server.close());
answerQueries();
announce({ type: 'ready', url: server.url });
