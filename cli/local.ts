// `npm start`: the gateway on http://localhost:8787 with everything it needs
// embedded. Ctrl-C stops it; a restart keeps keys and balances.
import path from 'node:path';
import { environmentCredentials } from '../lib/providers/credentials/index.ts';
import { missingCredentials as missingCredentialsOf } from '../lib/routing/credential-readiness.ts';
import { startLocalGateway } from './local-gateway.ts';
import { startBanner } from './start-banner.ts';

const env = process.env;
const port = Number(env.PORT ?? '8787');
const dataDir = path.resolve(env.SWITCHYARD_DATA_DIR ?? '.data');

const gateway = await startLocalGateway({ port, dataDir, env });

const credentialNames = [...gateway.catalog.providers.values()].flatMap((provider) => (provider.credential === undefined ? [] : [provider.credential]));
const missingCredentials = await missingCredentialsOf(credentialNames, environmentCredentials(env));
console.log(startBanner({ url: gateway.url, baseUrl: gateway.baseUrl, keys: gateway.keys, dataDir, catalog: gateway.catalog, missingCredentials }));

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  void gateway.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
