// The provider simulator, alone in its process, for the upstream-shape pass
// (../upstream-shape.ts): one provider per wire kind it speaks, each
// answering 20 ms after a request with 50 tokens as fast as it can.
import { serve } from '../../cli/serve.ts';
import { createCatalog } from '../../lib/catalog/catalog.ts';
import { createSimulator } from '../../lib/providers/simulator/index.ts';
import { upstreamShapeSimulatorCatalog } from '../workload.ts';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const simulator = createSimulator({ catalog: createCatalog(upstreamShapeSimulatorCatalog(), { source: 'bench simulator catalog' }) });
const server = await serve((request) => simulator.handle(request));
exitWhenAsked(() => server.close());
answerQueries();
announce({ type: 'ready', url: server.url });
