import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

type Module = Record<string, unknown>;

/**
 * Serves the given `api/` modules over loopback HTTP, as Vercel would (`/api/google/start` →
 * the GET export of api/google/start.ts), in this process, so a test shares their database and
 * store. Unlike the dev server it imports nothing by path, so the test's module instances are used.
 */
export async function startAppServer(routes: Record<string, Module>, extra?: (path: string) => Response | undefined): Promise<{ url: string; close: () => Promise<void> }> {
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      headers.set('x-forwarded-for', req.socket.remoteAddress ?? '127.0.0.1');
      // The host the client asked for, as on Vercel: a test may reach this server as localhost too.
      const url = new URL(req.url ?? '/', req.headers.host ? `http://${req.headers.host}` : origin);
      const method = req.method ?? 'GET';
      const request = new Request(url, { method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
      const handler = routes[url.pathname]?.[method] as ((r: Request) => Promise<Response>) | undefined;
      const response = handler ? await handler(request) : (extra?.(url.pathname) ?? new Response('not found', { status: 404 }));
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') out[name] = value;
      });
      if (response.headers.getSetCookie().length > 0) out['set-cookie'] = response.headers.getSetCookie();
      res.writeHead(response.status, out);
      if (response.body) Readable.fromWeb(response.body as never).pipe(res);
      else res.end();
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
