import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP forwarder in front of the Upstash REST stand-in that plays a slow link: each command is
 * passed on and runs at once, and its answer is held `state.delay` ms before it goes back (so a
 * client that gave up still had its command done).
 */
export async function startSlowLink(target: string): Promise<{ url: string; state: { delay: number }; close: () => void }> {
  const state = { delay: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(target + (req.url ?? '/'), {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json', 'upstash-encoding': String(req.headers['upstash-encoding'] ?? '') },
      body: Buffer.concat(chunks),
    });
    const body = await answer.text();
    await new Promise((resolve) => setTimeout(resolve, state.delay));
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
