import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP forwarder in front of a real server, to play an outage: `cut()` drops every
 * open connection and refuses new ones (the port closes), `heal()` listens again on the same port.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((ready) => server!.listen(port, '127.0.0.1', ready));
    port = (server!.address() as AddressInfo).port;
  };
  await listen();
  const cut = async () => {
    const closing = new Promise<void>((done) => server!.close(() => done()));
    for (const s of sockets) s.destroy();
    await closing;
  };
  return { port: () => port, cut, heal: listen, close: cut };
}
