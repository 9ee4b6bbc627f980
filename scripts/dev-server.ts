import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, match, pathToRegexp } from 'path-to-regexp';
import { answerFirst, settleBackground } from '../lib/background.js';
import { LOCAL_AVATAR_FILE, LOCAL_AVATAR_PATH } from '../lib/avatars/local.js';
import { getConfig } from '../lib/config.js';
import { badRequest, HttpError, methodNotAllowed, notFound } from '../lib/http-errors.js';
import { servedMethods } from '../lib/other-methods.js';
import { problem } from '../lib/respond.js';

/**
 * The local stand-in for Vercel: `/api/a/b` runs the method export of `api/a/b.ts` with a Web
 * `Request`, as Vercel's Node.js runtime does; other paths are the files of `public/`, after the
 * rewrites of `vercel.json`, and `/avatars/<file>` is the embedded avatar store (`DATA_DIR/avatars`).
 * One log line per request.
 */

const ROOT = resolve(import.meta.dirname, '..');
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.mjs': 'text/javascript; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

type Module = Record<string, unknown>;

/** Maps URL paths (`/api/google/start`) to their files, found once at start-up. */
function apiRoutes(dir = join(ROOT, 'api')): Map<string, string> {
  const routes = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      // As Vercel: a name starting with `_` or `.` is no function (a helper beside them).
      if (/^[_.]/.test(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        routes.set('/' + relative(ROOT, path).split(sep).join('/').replace(/\.(ts|js|mjs)$/, ''), path);
      }
    }
  };
  walk(dir);
  return routes;
}

interface VercelJson {
  rewrites?: { source: string; destination: string }[];
  headers?: { source: string; headers: { key: string; value: string }[] }[];
}

function vercelJson(): VercelJson {
  return JSON.parse(readFileSync(join(ROOT, 'vercel.json'), 'utf8')) as VercelJson;
}

/** How Vercel reads a `source`: path-to-regexp v6, case-sensitive, no optional trailing slash. */
const SOURCE_OPTIONS = { strict: true, sensitive: true, delimiter: '/' };

/**
 * vercel.json's `rewrites`, as Vercel applies them to a path no file answers: the first rule
 * whose `source` matches gives the path, its `:params` filled into `destination`. (Destinations
 * on another host, or with a query, are not supported here.)
 *
 * @example rewriteRules({ rewrites: [{ source: '/app/:path*', destination: '/index.html' }] })('/app/a/b') // '/index.html'
 */
export function rewriteRules(config: VercelJson = vercelJson()): (pathname: string) => string | undefined {
  const rules = (config.rewrites ?? []).map((rule) => ({ match: match(rule.source, SOURCE_OPTIONS), to: compile(rule.destination, { validate: false }) }));
  return (pathname) => {
    for (const rule of rules) {
      const found = rule.match(pathname);
      if (found) return rule.to(found.params as object);
    }
    return undefined;
  };
}

/**
 * vercel.json's `headers` rules, as Vercel applies them: a rule's `source` is a path-to-regexp (v6)
 * pattern matched against the path the client asked for, before rewrites.
 *
 * @example headerRules()('/docs') // [['X-Frame-Options', 'DENY'], …]
 */
export function headerRules(config: VercelJson = vercelJson()): (pathname: string) => [string, string][] {
  const rules = (config.headers ?? []).map((rule) => ({
    pattern: pathToRegexp(rule.source, [], SOURCE_OPTIONS),
    headers: rule.headers.map(({ key, value }): [string, string] => [key, value]),
  }));
  return (pathname) => rules.filter((rule) => rule.pattern.test(pathname)).flatMap((rule) => rule.headers);
}

/** A Host header that is a name or an address, with an optional port: nothing else makes a URL. */
const HOST_HEADER = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function toRequest(req: IncomingMessage, url: URL): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  // Like Vercel, the platform sets the client address; whatever the client sent is replaced.
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  headers.set('x-forwarded-for', ip);
  headers.set('x-real-ip', ip);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, { method, headers, body: hasBody ? requestBody(req) : undefined, duplex: 'half' } as RequestInit);
}

/**
 * The request body as a Web stream, read as the function asks for it. Not `Readable.toWeb`: on
 * Node 20 a body the function stops reading (a 413 past the limit) while more of it still
 * arrives makes that adapter throw ERR_INVALID_STATE outside any handler, which stopped the whole
 * dev server. Here the rest of a cancelled body is read and dropped (the connection is then closed
 * after the answer, see `send`), and a client that goes away errors the stream.
 */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once('end', () => {
          if (!done) controller.close();
          done = true;
        });
        req.once('close', () => {
          if (!done) controller.error(new Error('the client closed the connection before the body ended'));
          done = true;
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        done = true;
        req.resume();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/**
 * Writes a function's Response to the Node response. Bodies are buffered: every answer here is
 * small. An answer given before the request body was all read (a 413, a 422 at the first unknown
 * multipart part) waits a moment for the rest to arrive, dropped, as Vercel reads a whole body
 * before the function runs: a client still writing would otherwise see the connection closed under
 * it (EPIPE, "fetch failed") instead of the answer. A body still coming after that closes the
 * connection.
 */
async function send(res: ServerResponse, response: Response, added: [string, string][] = []): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  if (!res.req.complete) await bodyEnded(res.req, 2_000);
  if (!res.req.complete) headers.connection = 'close';
  for (const [name, value] of added) headers[name.toLowerCase()] = value;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Resolves when the request body has all arrived (its rest dropped), the client went away, or after `ms`. */
function bodyEnded(req: IncomingMessage, ms: number): Promise<void> {
  return new Promise<void>((done) => {
    const timer = setTimeout(done, ms);
    const finish = () => {
      clearTimeout(timer);
      done();
    };
    req.once('end', finish);
    req.once('close', finish);
    // The function has answered: what still arrives is dropped. Its stream of the body (see
    // requestBody) would otherwise pause the request again at its first full queue when the
    // function never read it (a 401 before an upload), and this would wait out `ms` for nothing.
    req.removeAllListeners('data');
    req.resume();
  });
}

// Each function module once: a repeated dynamic import() still costs a trip through the module
// loader (and tsx's hooks thread) on every request, which capped the dev server's throughput.
const functionModules = new Map<string, Promise<Module>>();

async function runFunction(file: string, request: Request): Promise<Response> {
  let loading = functionModules.get(file);
  if (!loading) {
    loading = import(pathToFileURL(file).href) as Promise<Module>;
    loading.catch(() => functionModules.delete(file)); // a module that failed to load is retried
    functionModules.set(file, loading);
  }
  const mod = await loading;
  const handler = mod[request.method];
  if (typeof handler !== 'function') {
    // The api/ files export every method (see otherMethods); this is for a file that does not.
    return problem(methodNotAllowed([...servedMethods(mod), ...(typeof mod.OPTIONS === 'function' ? ['OPTIONS'] : [])]));
  }
  // Decision: no maxDuration here (nothing cuts a function off at 10 s, unlike Vercel), so no time
  // budget either: each step gets its own setting only, and a request paused in a debugger does
  // not answer 503 for want of time once it goes on (lib/deadline.ts).
  return answerFirst(() => (handler as (r: Request) => Promise<Response>)(request), Infinity);
}

/**
 * What Vercel itself answers for a path under /api/ that no function serves: its plain-text
 * NOT_FOUND page, not one of the API's problem+json answers, so a frontend sees here what it will
 * see deployed.
 */
function platformNotFound(): Response {
  return new Response('The page could not be found.\n\nNOT_FOUND\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

const PUBLIC_DIR = join(ROOT, 'public');

/** The place in public/ a decoded path names; undefined when it would lead outside. */
function publicPath(decoded: string): string | undefined {
  const file = resolve(PUBLIC_DIR, '.' + decoded);
  return file === PUBLIC_DIR || file.startsWith(PUBLIC_DIR + sep) ? file : undefined;
}

/** Whether a file (not a folder) of public/ has this path. */
function isPublicFile(pathname: string): boolean {
  try {
    const file = publicPath(decodeURIComponent(pathname));
    return file !== undefined && statSync(file).isFile();
  } catch {
    return false;
  }
}

async function serveStatic(pathname: string): Promise<Response> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return problem(badRequest('The path is not valid percent-encoding.', 'malformed_path'));
  }
  const file = publicPath(decoded);
  if (!file) return problem(notFound('No such file.'));
  const info = await stat(file).catch(() => undefined);
  const target = info?.isDirectory() ? join(file, 'index.html') : file;
  const body = await readFile(target).catch(() => undefined);
  if (!body) return problem(notFound('No such file.'));
  return new Response(body, {
    headers: { 'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' },
  });
}

/** An avatar saved by the local store; only names that store makes, so no path can escape. */
async function serveAvatar(pathname: string): Promise<Response> {
  const file = pathname.slice(LOCAL_AVATAR_PATH.length);
  const body = LOCAL_AVATAR_FILE.test(file) ? await readFile(join(getConfig().avatars.localDir, file)).catch(() => undefined) : undefined;
  if (!body) return problem(notFound('No such avatar.'));
  return new Response(body, {
    headers: {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'public, max-age=31536000, immutable', // a new avatar gets a new name
    },
  });
}

export interface DevServerOptions {
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

/** Starts the dev server; resolves once it listens. */
export async function startDevServer(options: DevServerOptions = {}): Promise<{ server: Server; url: string }> {
  const routes = apiRoutes();
  const rewrite = rewriteRules();
  const headersFor = headerRules();
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  let origin = '';

  const server = createServer((req, res) => {
    const started = performance.now();
    // Like Vercel, the request's URL is on the host the client asked for (so avatar URLs and the
    // Google redirect work from another machine when bound to 0.0.0.0), if that is a plain host.
    const base = HOST_HEADER.test(req.headers.host ?? '') ? `http://${req.headers.host}` : origin;
    // A path only (RFC 9112's origin-form): `//host/…` or `http://host/…` must not name the host.
    const target = req.url ?? '/';
    const url = target.startsWith('/') && URL.canParse(base + target) ? new URL(base + target) : undefined;
    if (!url) {
      send(res, problem(badRequest('The request target is not a valid path.', 'malformed_path'))).catch(() => res.destroy());
      return;
    }
    const pathname = url.pathname;
    // As Vercel: a file or a function answers first, rewrites only the paths nothing answers.
    const route = (p: string) => routes.get(p.replace(/\/$/, ''));
    const path = route(pathname) || isPublicFile(pathname) ? pathname : (rewrite(pathname) ?? pathname);
    const file = route(path);
    const request = toRequest(req, url);
    const answer = file
      ? runFunction(file, request)
      : path === '/api' || path.startsWith('/api/')
        ? Promise.resolve(platformNotFound())
        : path.startsWith(LOCAL_AVATAR_PATH)
          ? serveAvatar(path)
          : req.method === 'GET' || req.method === 'HEAD'
            ? serveStatic(path)
            : Promise.resolve(problem(methodNotAllowed(['GET', 'HEAD'])));
    answer
      .catch((error: unknown) => {
        log(`dev server error: ${error instanceof Error ? error.message : String(error)}`);
        return problem(new HttpError(500, 'internal_error', 'Internal Server Error', 'The function crashed.'));
      })
      // Work a function left running after its response (mail, via waitUntil) finishes before
      // the log line, as Vercel keeps the function alive for it: a reader of the log (or a test)
      // that sees the line also sees the mail in the outbox.
      .then((response) => send(res, response, headersFor(pathname)).then(() => settleBackground()).then(() => response.status))
      .then((status) => log(`${req.method} ${pathname} ${status} ${(performance.now() - started).toFixed(0)}ms`))
      .catch(() => res.destroy());
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail); // EADDRINUSE and the like reject, rather than crash the process
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', fail);
      ready();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // Every interface is reached through loopback; an IPv6 address goes in brackets, or no URL parses it.
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  origin = `http://${isIPv6(reach) ? `[${reach}]` : reach}:${port}`;
  return { server, url: origin };
}
