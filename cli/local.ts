// `npm start`: the gateway on http://localhost:8787 with everything it needs
// embedded. Ctrl-C stops it gracefully (requests in flight finish, up to
// SWITCHYARD_SHUTDOWN_DRAIN_MS, and every one is settled and recorded); a
// second Ctrl-C stops it at once (the next start releases what it held). A
// restart keeps keys and balances.
import path from 'node:path';
import { defaultSettings } from '../lib/settings.ts';
import { environmentCredentials } from '../lib/providers/credentials/index.ts';
import { missingCredentials as missingCredentialsOf } from '../lib/routing/credential-readiness.ts';
import { startLocalGateway } from './local-gateway.ts';
import { startBanner } from './start-banner.ts';

const env = process.env;
const port = Number(env.PORT ?? '8787');
const dataDir = path.resolve(env.SWITCHYARD_DATA_DIR ?? '.data');
const shutdownDrainMs = drainMsFrom(env.SWITCHYARD_SHUTDOWN_DRAIN_MS);

const gateway = await startLocalGateway({ port, dataDir, env, settings: { shutdownDrainMs } });

const credentialNames = [...gateway.catalog.providers.values()].flatMap((provider) => (provider.credential === undefined ? [] : [provider.credential]));
const missingCredentials = await missingCredentialsOf(credentialNames, environmentCredentials(env));
console.log(startBanner({ url: gateway.url, baseUrl: gateway.baseUrl, keys: gateway.keys, dataDir, catalog: gateway.catalog, missingCredentials }));

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) {
    console.log(`\n${signal} again: stopping now. Requests still running are cut; the next start releases their credit holds.`);
    process.exit(130);
  }
  stopping = true;
  void gateway
    .shutdown({
      onDrainStart: (inFlight) =>
        console.log(
          inFlight === 0
            ? '\nStopping…'
            : `\nStopping: waiting up to ${shutdownDrainMs / 1000} s for ${inFlight} request${inFlight === 1 ? '' : 's'} in flight (${signal} again to stop at once)…`,
        ),
    })
    .then(
      (outcome) => {
        if (outcome.cut > 0) console.log(`Ended ${outcome.cut} request${outcome.cut === 1 ? '' : 's'} still running after ${shutdownDrainMs / 1000} s; each was settled and recorded.`);
        console.log('Stopped: every request settled and recorded, no credits held.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(JSON.stringify({ level: 'error', message: 'shutdown failed', error: String(error) }));
        process.exit(1);
      },
    );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

function drainMsFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return defaultSettings.shutdownDrainMs;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) {
    console.error(`SWITCHYARD_SHUTDOWN_DRAIN_MS must be a whole number of milliseconds, not ${JSON.stringify(value)}`);
    process.exit(1);
  }
  return ms;
}
