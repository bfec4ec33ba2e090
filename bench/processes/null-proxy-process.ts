// The floor: a node:http proxy that passes bytes both ways and parses
// nothing but the HTTP framing node:http parses anyway. Argument: the
// upstream origin (`http://127.0.0.1:<port>`).
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, answerQueries, exitWhenAsked } from './ipc.ts';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((incoming, outgoing) => {
  const headers = { ...incoming.headers, host: upstream.host };
  const forward = request(
    { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers, agent },
    (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(outgoing);
    },
  );
  forward.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502);
    outgoing.destroy();
  });
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) forward.destroy();
  });
  incoming.pipe(forward);
});
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
exitWhenAsked(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
answerQueries();
announce({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
