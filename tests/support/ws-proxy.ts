import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * A loopback WebSocket-to-TCP proxy, as Neon runs in front of its databases, so the Neon
 * serverless driver can reach the local PostgreSQL: `ws://127.0.0.1:<port>/v2?address=host:port`.
 * Only loopback targets are allowed.
 */
export async function startWsProxy(): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, request) => {
    const address = new URL(request.url ?? '/', 'http://x').searchParams.get('address') ?? '';
    const [host, port] = address.split(':');
    if (host !== '127.0.0.1' && host !== 'localhost') return ws.close(1008, 'loopback only');
    const tcp = connect(Number(port), host);
    tcp.on('data', (data) => ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('message', (data) => tcp.write(data as Buffer));
    ws.on('close', () => tcp.destroy());
  });
  await new Promise<void>((ready) => http.listen(0, '127.0.0.1', ready));
  const { port } = http.address() as AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => done());
      }),
  };
}
