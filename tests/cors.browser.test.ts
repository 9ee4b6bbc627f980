import { createServer, request as forward, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium.js';
import { startDevServerProcess } from './support/dev-server-process.js';
import { newAccount } from './support/http.js';

/**
 * CORS as a real browser enforces it, against `npm run dev` (README "Endpoints", lib/cors.ts):
 * a frontend page served from another loopback origin listed in CORS_ORIGINS can sign up, log in
 * (JSON and form), and read and change /api/me with a Bearer token (a preflighted request), and
 * its JavaScript can read error answers: a 401's problem body and `WWW-Authenticate`, a 429's
 * `Retry-After` and `RateLimit-*` (exposed headers). A page on an origin not in the list gets a
 * TypeError from `fetch` for simple and preflighted requests alike. No answer ever says
 * `Access-Control-Allow-Origin: *`; credentials are allowed for the listed origin only (lib/cors.ts:
 * "the frontend may send credentials"), yet never needed: the API sets no cookie on these paths.
 *
 * The browser talks to the dev server through a recording HTTP proxy, so the tests also see what
 * JavaScript cannot: the preflights and the headers of answers the browser refused to hand over.
 */

type Seen = { method: string; path: string; origin?: string; status: number; headers: IncomingHttpHeaders };
/** What the page's JavaScript got: the status, the headers it may read, the body; or the error fetch threw. */
type Answer = { status: number; headers: Record<string, string>; body: string } | { error: string; message: string };

/** A loopback server whose every path answers one empty HTML page: an origin to run fetch from. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>page</title>'));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A transparent HTTP proxy to `target` that records each request and the answer's raw headers. */
async function recordingProxy(target: string): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const out = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const origin = req.headers.origin;
      seen.push({ method: req.method!, path: req.url!, ...(origin ? { origin } : {}), status: answer.statusCode!, headers: answer.headers });
      res.writeHead(answer.statusCode!, answer.rawHeaders);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/**
 * A frontend's dev server that proxies `/api` to `target` as Vite's `server.proxy` does with
 * `changeOrigin: true`: the API sees its own host in Host, and the page's origin in Origin.
 * Every other path is the page.
 */
async function proxyingFrontend(target: string): Promise<{ origin: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (!req.url!.startsWith('/api/')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>proxied</title>');
    const out = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.rawHeaders);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
/** The OAuth2 password form: a CORS-safelisted content type, so a simple request (no preflight). */
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
/** A multipart form of text fields: also CORS-safelisted, so a simple request. */
const multipart = (fields: Record<string, string>): RequestInit => {
  const boundary = 'cors-test-boundary';
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: `${parts.join('')}--${boundary}--\r\n` };
};
const bearer = (token: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });

describe.runIf(chromiumAvailable())('CORS in headless Chromium: a frontend on another origin', () => {
  let frontend: Awaited<ReturnType<typeof pageServer>>;
  let foreign: Awaited<ReturnType<typeof pageServer>>;
  let dev: Awaited<ReturnType<typeof startDevServerProcess>>;
  let api: Awaited<ReturnType<typeof recordingProxy>>;
  let browser: Browser;

  beforeAll(async () => {
    frontend = await pageServer();
    foreign = await pageServer();
    // Failed logins per account: 2 a minute, so the third wrong password is a 429.
    dev = await startDevServerProcess({ CORS_ORIGINS: frontend.origin, RATE_LIMIT_LOGIN_ACCOUNT: '2/1m' });
    api = await recordingProxy(dev.url);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await close(api?.server);
    await dev?.stop();
    await close(frontend?.server);
    await close(foreign?.server);
  });

  /** A page on `origin`, in a fresh context (so no preflight is served from an earlier test's cache). */
  async function pageOn(origin: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  /** Runs `fetch(api + path, init)` inside the page and answers what its JavaScript can see. */
  function call(page: Page, path: string, init: RequestInit = {}): Promise<Answer> {
    return page.evaluate(
      async ({ url, init }) => {
        try {
          const response = await fetch(url, init);
          const headers: Record<string, string> = {};
          response.headers.forEach((value, name) => (headers[name] = value));
          return { status: response.status, headers, body: await response.text() };
        } catch (error) {
          return { error: (error as Error).name, message: (error as Error).message };
        }
      },
      { url: api.url + path, init },
    );
  }

  /** The answer, failing with what fetch threw when it threw. */
  function read(answer: Answer) {
    if ('error' in answer) throw new Error(`fetch threw ${answer.error}: ${answer.message}`);
    return { ...answer, json: () => JSON.parse(answer.body) };
  }

  /** The requests the API answered since `mark` (an index into api.seen) for this path and origin. */
  const seenSince = (mark: number, path: string, origin: string) => api.seen.slice(mark).filter((s) => s.path === path && s.origin === origin);

  async function register(page: Page) {
    const account = newAccount();
    const answer = read(await call(page, '/api/register', json('POST', account)));
    expect(answer.status, answer.body).toBe(201);
    return { account, token: answer.json().access_token as string };
  }

  it('register (JSON): 201, and the page reads the new user and token', async () => {
    const page = await pageOn(frontend.origin);
    const account = newAccount();
    const answer = read(await call(page, '/api/register', json('POST', account)));
    expect(answer.status, answer.body).toBe(201);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const body = answer.json();
    expect(body.user).toMatchObject({ username: account.username, email: account.email });
    expect(body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    await page.context().close();
  });

  it('login: 200 to JSON (preflighted) and to the OAuth2 password form (a simple request, no preflight)', async () => {
    const page = await pageOn(frontend.origin);
    const { account } = await register(page);
    const mark = api.seen.length;
    const byJson = read(await call(page, '/api/login', json('POST', { username: account.username, password: account.password })));
    expect(byJson.status, byJson.body).toBe(200);
    expect(byJson.json()).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    const byForm = read(await call(page, '/api/login', form({ username: account.email, password: account.password })));
    expect(byForm.status, byForm.body).toBe(200);
    expect(byForm.json().access_token).toEqual(expect.any(String));
    // JSON is not a CORS-safelisted content type, the form is: one preflight, two logins.
    expect(seenSince(mark, '/api/login', frontend.origin).map((s) => `${s.method} ${s.status}`)).toEqual(['OPTIONS 204', 'POST 200', 'POST 200']);
    await page.context().close();
  });

  it('GET /api/me with a Bearer token: the preflight allows Authorization, then 200 with the user', async () => {
    const page = await pageOn(frontend.origin);
    const { account, token } = await register(page);
    const mark = api.seen.length;
    const me = read(await call(page, '/api/me', bearer(token)));
    expect(me.status, me.body).toBe(200);
    expect(me.json()).toMatchObject({ username: account.username, email: account.email });
    const [preflight, get] = seenSince(mark, '/api/me', frontend.origin);
    expect(preflight).toMatchObject({ method: 'OPTIONS', status: 204 });
    expect(preflight!.headers['access-control-allow-origin']).toBe(frontend.origin);
    expect(preflight!.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    expect(get).toMatchObject({ method: 'GET', status: 200 });
    await page.context().close();
  });

  it('PATCH /api/me with JSON: the preflight allows PATCH, then 200 with the changed user', async () => {
    const page = await pageOn(frontend.origin);
    const { account, token } = await register(page);
    const mark = api.seen.length;
    const patched = read(await call(page, '/api/me', bearer(token, json('PATCH', { full_name: 'Cross Origin' }))));
    expect(patched.status, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ username: account.username, full_name: 'Cross Origin' });
    const [preflight, patch] = seenSince(mark, '/api/me', frontend.origin);
    expect(preflight).toMatchObject({ method: 'OPTIONS', status: 204 });
    expect(preflight!.headers['access-control-allow-methods']).toContain('PATCH');
    expect(patch).toMatchObject({ method: 'PATCH', status: 200 });
    await page.context().close();
  });

  it('a wrong password: the page reads the 401 problem+json and its WWW-Authenticate', async () => {
    const page = await pageOn(frontend.origin);
    const { account } = await register(page);
    const refused = read(await call(page, '/api/login', json('POST', { username: account.username, password: 'not the password' })));
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ status: 401, type: expect.stringMatching(/^urn:problem:/), detail: expect.any(String) });
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    await page.context().close();
  });

  it('past the login limit: the page reads the 429 and its Retry-After and RateLimit-* headers', async () => {
    const page = await pageOn(frontend.origin);
    const { account } = await register(page);
    const wrong = json('POST', { username: account.username, password: 'not the password' });
    for (let i = 0; i < 2; i++) expect(read(await call(page, '/api/login', wrong)).status).toBe(401);
    const limited = read(await call(page, '/api/login', wrong));
    expect(limited.status, limited.body).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, type: expect.stringMatching(/^urn:problem:/) });
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(limited.headers['ratelimit-limit']).toBe('2');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit-reset']).toMatch(/^\d+$/);
    await page.context().close();
  });

  it("a frontend whose dev server proxies /api with the API's host in Host (Vite's changeOrigin): its forms go through, the browser calling them same-origin", async () => {
    const frontendProxy = await proxyingFrontend(dev.url);
    const page = await pageOn(frontendProxy.origin);
    try {
      // Same-origin fetches through the page's own server; its origin is in no CORS list.
      const send = (path: string, init: RequestInit) =>
        page.evaluate(async ({ path, init }) => {
          const response = await fetch(path, init);
          return { status: response.status, body: await response.text() };
        }, { path, init });
      const account = newAccount();
      const signedUp = await send('/api/register', multipart(account));
      expect(signedUp.status, signedUp.body).toBe(201);
      const loggedIn = await send('/api/login', form({ username: account.username, password: account.password }));
      expect(loggedIn.status, loggedIn.body).toBe(200);
    } finally {
      await page.context().close();
      await close(frontendProxy.server);
    }
  });

  describe('a page on an origin not in CORS_ORIGINS', () => {
    it('a simple request (the login form, a multipart sign-up) reaches the API, is refused 403 before anything counts, and fetch rejects with a TypeError', async () => {
      const page = await pageOn(foreign.origin);
      const own = await pageOn(frontend.origin);
      const { account } = await register(own);
      const mark = api.seen.length;
      // Three wrong passwords from the page: past the account's limit (2 a minute), had they counted.
      for (let i = 0; i < 3; i++) {
        expect(await call(page, '/api/login', form({ username: account.username, password: 'not the password' }))).toMatchObject({ error: 'TypeError' });
      }
      const stranger = newAccount();
      expect(await call(page, '/api/register', multipart(stranger))).toMatchObject({ error: 'TypeError' });
      // Sent, and refused without the header that would let the page read it.
      const seen = [...seenSince(mark, '/api/login', foreign.origin), ...seenSince(mark, '/api/register', foreign.origin)];
      expect(seen.map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([...Array(3).fill('POST /api/login 403'), 'POST /api/register 403']);
      for (const s of seen) expect(s.headers['access-control-allow-origin']).toBeUndefined();
      // Nothing counted, nothing created: the owner signs in, the stranger's account does not exist.
      expect(read(await call(own, '/api/login', json('POST', { username: account.username, password: account.password }))).status).toBe(200);
      expect(read(await call(own, '/api/login', json('POST', { username: stranger.username, password: stranger.password }))).status).toBe(401);
      // The same form from the frontend's own page goes through.
      expect(read(await call(own, '/api/register', multipart(newAccount()))).status).toBe(201);
      await page.context().close();
      await own.context().close();
    });

    it('a preflighted request (GET /api/me with Bearer) is stopped at the preflight with a TypeError', async () => {
      const page = await pageOn(foreign.origin);
      const own = await pageOn(frontend.origin);
      const { token } = await register(own);
      const mark = api.seen.length;
      expect(await call(page, '/api/me', bearer(token))).toMatchObject({ error: 'TypeError' });
      const seen = seenSince(mark, '/api/me', foreign.origin);
      expect(seen.map((s) => s.method)).toEqual(['OPTIONS']); // the GET itself is never sent
      expect(seen[0]!.headers['access-control-allow-origin']).toBeUndefined();
      expect(seen[0]!.headers['access-control-allow-methods']).toBeUndefined();
      await page.context().close();
      await own.context().close();
    });

    it('with credentials too, and it is never allowed credentials', async () => {
      const page = await pageOn(foreign.origin);
      const mark = api.seen.length;
      expect(await call(page, '/api/docs', { credentials: 'include' })).toMatchObject({ error: 'TypeError' });
      const [docs] = seenSince(mark, '/api/docs', foreign.origin);
      expect(docs).toMatchObject({ method: 'GET', status: 200 });
      expect(docs!.headers['access-control-allow-credentials']).toBeUndefined();
      await page.context().close();
    });
  });

  it('credentials: allowed for the frontend (an exact origin, never *), but not needed: no cookie is set', async () => {
    const page = await pageOn(frontend.origin);
    const mark = api.seen.length;
    // Everything above ran without credentials (fetch's default sends none cross-origin).
    // With them the browser demands Allow-Credentials: true and an exact Allow-Origin.
    const account = newAccount();
    const registered = read(await call(page, '/api/register', { ...json('POST', account), credentials: 'include' }));
    expect(registered.status, registered.body).toBe(201);
    const token = registered.json().access_token as string;
    const me = read(await call(page, '/api/me', bearer(token, { credentials: 'include' })));
    expect(me.status, me.body).toBe(200);
    const seen = seenSince(mark, '/api/register', frontend.origin).concat(seenSince(mark, '/api/me', frontend.origin));
    expect(seen.map((s) => s.method).sort()).toEqual(['GET', 'OPTIONS', 'OPTIONS', 'POST']);
    for (const s of seen) {
      expect(s.headers['access-control-allow-credentials'], `${s.method} ${s.path}`).toBe('true');
      expect(s.headers['access-control-allow-origin'], `${s.method} ${s.path}`).toBe(frontend.origin);
    }
    expect(await page.context().cookies()).toEqual([]);
    await page.context().close();
  });

  it('no answer above said Access-Control-Allow-Origin: *, nor allowed any origin but the frontend, nor set a cookie', () => {
    expect(api.seen.length).toBeGreaterThan(20);
    for (const s of api.seen) {
      const label = `${s.method} ${s.path} from ${s.origin}`;
      expect(s.headers['access-control-allow-origin'], label).toBe(s.origin === frontend.origin ? frontend.origin : undefined);
      expect(s.headers['set-cookie'], label).toBeUndefined();
      // Answers differ by Origin, so caches must key on it.
      expect(s.headers['vary']?.toLowerCase(), label).toContain('origin');
    }
  });
});
