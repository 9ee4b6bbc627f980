import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP forwarder in front of a real server, to play an outage: `cut()` drops every
 * open connection and refuses new ones (the port closes); `stall()` turns it into a black hole,
 * every connection, open or new, stays open but no byte passes either way (a peer gone silent, no
 * RST or FIN); `heal()` drops the stalled connections and forwards again on the same port.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const listen = async () => {
    server = createServer((client) => {
      track(client);
      if (stalled) return client.pause(); // accepted, never answered
      const upstream = connect(targetPort, targetHost);
      track(upstream);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => {
        client.destroy();
        pairs.delete(pair);
      });
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
  const stall = () => {
    stalled = true;
    for (const [client, upstream] of pairs) {
      client.unpipe(upstream).pause();
      upstream.unpipe(client).pause();
    }
  };
  const heal = async () => {
    if (stalled) {
      stalled = false;
      for (const s of sockets) s.destroy();
    }
    if (!server!.listening) await listen();
  };
  return { port: () => port, cut, stall, heal, close: cut };
}
