// The provider simulator, alone in its process: `serve` + `createSimulator`
// with the bench catalog (see ../workload.ts).
import { serve } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { simulatorCatalog } from '../workload.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const simulator = createSimulator({ catalog: createCatalog(simulatorCatalog(), { source: 'bench simulator catalog' }) });
const server = await serve((request) => simulator.handle(request));
exitWhenAsked(() => server.close());
answerQueries();
announce({ type: 'ready', url: server.url });
