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

const directory = process.argv[2];
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
