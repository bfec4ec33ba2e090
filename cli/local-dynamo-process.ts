// Local mode's DynamoDB stand-in in a process of its own: dynalite on a
// loopback port, persisted with LevelDB in the folder given as the argument
// (in memory without one). Run by plain Node (type stripping, no loader).
// Its own process, as DynamoDB is another service on AWS: the gateway's event
// loop never waits while it serves a batch, and its memory is its own.
//
// It stops when its parent closes it or goes away, not on Ctrl-C: the
// gateway still flushes its records and charges to it while it shuts down.
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;
// dynalite's own LevelDB, to wait for the folder's lock before dynalite opens it.
const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> } };

/** How long a predecessor that is still exiting may hold the folder's lock. */
const LOCK_WAIT_MS = 15_000;

const directory = process.argv[2];
if (directory !== undefined && directory !== '') await waitForFolder(directory);
const server = dynalite({ ...(directory === undefined || directory === '' ? {} : { path: directory }), createTableMs: 0 });
const stop = (): void => {
  server.close(() => process.exit(0));
};
process.on('SIGINT', () => undefined);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});

/**
 * LevelDB lets one process open a folder at a time. A gateway that was just
 * killed may leave its stand-in exiting for a moment: wait for it, rather
 * than fail (dynalite would crash on its first request); a folder still
 * locked after LOCK_WAIT_MS is another running gateway's.
 */
async function waitForFolder(path: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const db = new Level(path);
    try {
      await db.open();
      await db.close();
      return;
    } catch (error) {
      const locked = (error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
      if (!locked || Date.now() > deadline) {
        console.error(locked ? `The data folder ${path} is in use by another running Switchyard (its DynamoDB stand-in holds the lock).` : String(error));
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
