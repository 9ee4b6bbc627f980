import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newAccount } from './support/http.js';
import { tinyPng } from './support/images.js';
import { startDevServerProcess } from './support/dev-server-process.js';
import { headerRules, rewriteRules, startDevServer } from '../scripts/dev-server.js';

describe('npm run dev', () => {
  let server: Awaited<ReturnType<typeof startDevServerProcess>>;
  beforeAll(async () => {
    // HOST and PORT left empty, as a copied .env.example may leave them: the defaults, loopback only.
    server = await startDevServerProcess({ HOST: '', PORT: '0' });
  });
  afterAll(() => server?.stop());

  it('prints its URL and the embedded defaults it uses, listening on loopback when HOST is empty', () => {
    expect(server.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(server.output()).toContain('database: PGlite');
    expect(existsSync(join(server.dataDir, 'secrets.json'))).toBe(true);
    expect(existsSync(join(server.dataDir, 'pglite'))).toBe(true);
  });

  it('serves register → login → me over real HTTP and logs one line per request', async () => {
    const account = newAccount();
    const registered = await fetch(`${server.url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(registered.status).toBe(201);
    const loggedIn = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: account.email, password: account.password }),
    });
    expect(loggedIn.status).toBe(200);
    const { access_token } = await loggedIn.json();
    const profile = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(profile.status).toBe(200);
    expect((await profile.json()).username).toBe(account.username);
    await vi.waitFor(() => expect(server.output()).toMatch(/GET \/api\/me 200 \d+ms/));
    expect(server.output()).toMatch(/POST \/api\/register 201 \d+ms/);
    expect(server.output()).not.toContain(account.password);
  });

  it('runs work after the response without logging a failure (the login refund, handed to waitUntil)', async () => {
    const account = newAccount();
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`${server.url}/api/register`, { method: 'POST', headers: json, body: JSON.stringify(account) })).status).toBe(201);
    const before = server.output().length;
    const loggedIn = await fetch(`${server.url}/api/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: account.username, password: account.password }) });
    expect(loggedIn.status).toBe(200);
    await vi.waitFor(() => expect(server.output().slice(before)).toMatch(/POST \/api\/login 200 \d+ms/));
    // The refund starts after the answer; give it time to finish (or to log its failure).
    await new Promise((r) => setTimeout(r, 300));
    expect(server.output().slice(before)).not.toMatch(/failed/i);
  });

  it('answers 405 with Allow for a method a function does not export, 404 for no function', async () => {
    const response = await fetch(`${server.url}/api/me`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PATCH, OPTIONS');
    expect((await fetch(`${server.url}/api/nothing-here`)).status).toBe(404);
    expect((await fetch(`${server.url}/../package.json`)).status).toBe(404);
  });

  it('serves public/ as it is', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it("sends vercel.json's headers on the pages and their files, as Vercel does: no page can be framed", async () => {
    for (const path of ['/', '/docs', '/redoc', '/docs/assets/swagger-ui.css', '/redoc/assets/redoc.standalone.js']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    // The functions set their own headers; the rule leaves /api/ alone.
    expect((await fetch(`${server.url}/api/docs`)).headers.get('x-frame-options')).toBeNull();
  });

  it('answers 400 for a path that is not valid percent-encoding or not a path, and keeps serving', async () => {
    const broken = await rawRequest('/docs/%E0%A4%A');
    expect(broken.status).toBe(400);
    expect(broken.type).toContain('application/problem+json');
    expect((await rawRequest('http://evil.example/')).status).toBe(400); // only a path names what is asked for
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  it('takes the host from Host only: a request target of //host/... is a path, not another host', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(newAccount())) form.append(name, value);
    form.append('avatar', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'me.png');
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const headers = { 'content-type': encoded.headers.get('content-type')! };
    // Before, `//evil.example:8080/api/register` reached the function with that host, and the
    // avatar URL (like the Google redirect) was built on it.
    const spoofed = await rawRequest('//evil.example:8080/api/register', { method: 'POST', headers, body });
    expect(spoofed.status).not.toBe(201);
    expect(spoofed.body).not.toContain('evil.example');
  });

  it('survives a large body a function stops reading early (413), sent in chunks before the function is ready', async () => {
    // Node 20's Readable.toWeb threw outside any handler when a cancelled body kept arriving: the
    // process died and the next request was refused.
    const fresh = await startDevServerProcess();
    try {
      const big = Buffer.alloc(200 * 1024, 'a');
      const { hostname, port } = new URL(fresh.url);
      const status = await new Promise<number>((done, fail) => {
        // As curl sends a large body: Expect: 100-continue, then the chunks.
        const headers = { 'content-type': 'application/json', 'transfer-encoding': 'chunked', expect: '100-continue' };
        const req = request({ host: hostname, port, path: '/api/register', method: 'POST', headers }, (res) => {
          res.resume();
          done(res.statusCode!);
        });
        req.on('error', fail);
        req.on('continue', () => {
          for (let i = 0; i < big.length; i += 64 * 1024) req.write(big.subarray(i, i + 64 * 1024));
          req.end();
        });
      });
      expect(status).toBe(413);
      await new Promise((resolve) => setTimeout(resolve, 500)); // the rest of the body arrives meanwhile
      expect((await fetch(`${fresh.url}/`)).status).toBe(200); // still up
      expect(fresh.output()).not.toContain('ERR_INVALID_STATE');
    } finally {
      await fresh.stop();
    }
  });

  it('answers a body refused before its end only once the client has sent it all, so the client gets the answer, not a broken pipe', async () => {
    // The 422 comes at the first part's header (an unknown file field); the client is still writing.
    const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n');
    const rest = Buffer.concat([tinyPng(), Buffer.from('\r\n--b--\r\n')]);
    // As fetch sends a streamed body: the rest comes after the answer was decided, in pieces.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let lastSentAt = Infinity;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(head);
        await sleep(300);
        controller.enqueue(rest.subarray(0, 10));
        await sleep(200);
        lastSentAt = performance.now();
        controller.enqueue(rest.subarray(10));
        controller.close();
      },
    });
    const outcome = await fetch(`${server.url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body,
      duplex: 'half',
    } as RequestInit).then(
      (response) => ({ status: response.status, answeredAfterTheWholeBody: performance.now() >= lastSentAt }),
      (error: Error) => ({ error: `${error.message}: ${String((error.cause as Error | undefined)?.message)}` }),
    );
    // Answered only once the whole body was sent: no client is left writing into a closed
    // connection (which fetch reports as "fetch failed: write EPIPE" when the write loses the race).
    expect(outcome).toEqual({ status: 422, answeredAfterTheWholeBody: true });
  });

  it('answers at once a large body the function never read (a 401 before an upload, a 405, a 415), as Vercel does', async () => {
    // An upload of 1 MB with an expired token: the function answers without touching the body.
    // Before, the unread body's stream held the socket paused, so the answer waited out the
    // 2-second grace for a body that could not arrive, and then closed the connection: checked by
    // the connection kept open, not by a timer.
    const body = Buffer.alloc(1_000_000, 'a');
    for (const [method, path, type] of [
      ['PATCH', '/api/me', 'application/json'],
      ['POST', '/api/docs', 'application/json'],
      ['POST', '/api/login', 'text/plain'],
    ] as const) {
      const answer = await rawRequest(path, { method, headers: { 'content-type': type }, body });
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.connection, `${method} ${path}`).toBe('keep-alive');
    }
  });

  it('takes a client that goes away in the middle of a JSON body for what it is, not for a crash of the function', async () => {
    const before = server.output().length;
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await new Promise((ready) => socket.once('connect', ready));
    socket.write(`POST /api/register HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":"ad`);
    await new Promise((r) => setTimeout(r, 300)); // the function is reading the body
    socket.destroy();
    // As a multipart body that breaks off already is: a 400, and no "unhandled" error in the log.
    await vi.waitFor(() => expect(server.output().slice(before)).toMatch(/POST \/api\/register \d+ \d+ms/), { timeout: 5_000 });
    expect(server.output().slice(before)).toMatch(/POST \/api\/register 400 /);
    expect(server.output().slice(before)).not.toContain('unhandled');
  });

  it('answers as Vercel where the API has no say: plain-text 404 for an unknown /api path, 405 for a static file asked to POST', async () => {
    const unknown = await fetch(`${server.url}/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await unknown.text()).toContain('NOT_FOUND');
    const posted = await fetch(`${server.url}/docs/init.js`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${server.url}/docs/init.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('builds URLs on the host the client asked for, as Vercel does: an avatar is reachable from another machine', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(newAccount())) form.append(name, value);
    form.append('avatar', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'me.png');
    const encoded = new Response(form);
    const port = new URL(server.url).port;
    const response = await rawRequest('/api/register', {
      method: 'POST',
      headers: { host: `lan-box.example.test:${port}`, 'content-type': encoded.headers.get('content-type')! },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body).user.avatar_url).toMatch(new RegExp(`^http://lan-box\\.example\\.test:${port}/avatars/`));
  });

  it('builds URLs on its own address when Host is not a plain host (user@host, a path): no URL on a host the client smuggled in', async () => {
    for (const host of ['someone@evil.example', 'evil.example/x', 'evil.example:80:81']) {
      const form = new FormData();
      for (const [name, value] of Object.entries(newAccount())) form.append(name, value);
      form.append('avatar', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'me.png');
      const encoded = new Response(form);
      const response = await rawRequest('/api/register', {
        method: 'POST',
        headers: { host, 'content-type': encoded.headers.get('content-type')! },
        body: Buffer.from(await encoded.arrayBuffer()),
      });
      expect(response.status, host).toBe(201);
      expect(JSON.parse(response.body).user.avatar_url, host).toMatch(new RegExp(`^${server.url.replace(/\./g, '\\.')}/avatars/`));
    }
  });

  it('answers /api/me/ (a trailing slash) as /api/me, as Vercel does with trailingSlash unset', async () => {
    const account = newAccount();
    const registered = await fetch(`${server.url}/api/register/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
    expect(registered.status).toBe(201);
    const { access_token } = await registered.json();
    const profile = await fetch(`${server.url}/api/me/`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(profile.status).toBe(200);
    expect((await profile.json()).username).toBe(account.username);
  });

  it('reads .env (here the file ENV_FILE names) into the variables, and says so; those already set win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'CORS_ORIGINS=https://from-env-file.example\nBCRYPT_COST=not-a-number\n');
    const other = await startDevServerProcess({ ENV_FILE: file });
    try {
      expect(other.output()).toContain(`variables also read from ${file}`);
      const preflight = await fetch(`${other.url}/api/login`, {
        method: 'OPTIONS',
        headers: { origin: 'https://from-env-file.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://from-env-file.example');
      // BCRYPT_COST=4 from the environment won over the file's malformed value, or nothing would answer.
      expect(preflight.status).toBe(204);
    } finally {
      await other.stop();
    }
  });

  /** One request with node:http, which (unlike fetch) sends any path and Host header as given. */
  function rawRequest(path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
    const { hostname, port } = new URL(server.url);
    return new Promise<{ status: number; type: string; connection: string; body: string }>((done, fail) => {
      const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => done({ status: res.statusCode!, type: String(res.headers['content-type']), connection: String(res.headers.connection), body }));
      });
      req.on('error', fail);
      req.end(options.body);
    });
  }
});

describe('a second npm run dev', () => {
  it('stops with one line naming each refused variable, not a stack, when the configuration is invalid', async () => {
    const failed = startDevServerProcess({ SECRET_KEY: 'short', BCRYPT_COST: '99' });
    await expect(failed).rejects.toThrow(
      /exited with 1:[\s\S]*npm run dev: the configuration is invalid \(\.env or the environment\): SECRET_KEY must be at least 32 characters; BCRYPT_COST /,
    );
    await expect(failed).rejects.not.toThrow(/\n\s+at /); // no stack trace
  });

  it('on the same port, or on the same data folder, stops with one clear line and leaves the first its database', async () => {
    const first = await startDevServerProcess();
    try {
      const account = newAccount();
      const post = (url: string, path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post(first.url, '/api/register', account)).status).toBe(201);
      const port = new URL(first.url).port;
      // Before the fix, the second process opened (and migrated) the PGlite folder before it
      // failed on the port: the folder was unreadable from then on.
      await expect(startDevServerProcess({ PORT: port, DATA_DIR: first.dataDir })).rejects.toThrow(
        new RegExp(`exited with 1:[\\s\\S]*npm run dev: port ${port} on 127\\.0\\.0\\.1 is in use`),
      );
      await expect(startDevServerProcess({ DATA_DIR: first.dataDir })).rejects.toThrow(/exited with 1:[\s\S]*npm run dev: Another process has the embedded database in \S+pglite open[\s\S]*lock clears itself within 10 seconds/);
      expect((await post(first.url, '/api/login', { username: account.username, password: account.password })).status).toBe(200);

      // Stopped (SIGTERM, as Ctrl-C), the first frees the folder: the next start has the account.
      await first.stop();
      const next = await startDevServerProcess({ DATA_DIR: first.dataDir });
      try {
        expect((await post(next.url, '/api/login', { username: account.username, password: account.password })).status).toBe(200);
      } finally {
        await next.stop();
      }
    } finally {
      await first.stop();
    }
  }, 60_000);
});

describe("vercel.json's rules as the dev server reads them", () => {
  it('matches rewrite sources with path-to-regexp and fills their params into the destination, as Vercel does', () => {
    const rewrite = rewriteRules({
      rewrites: [
        { source: '/docs', destination: '/docs/index.html' },
        { source: '/app/:path*', destination: '/index.html' },
        { source: '/u/:name', destination: '/users/:name.html' },
      ],
    });
    expect(rewrite('/docs')).toBe('/docs/index.html');
    expect(rewrite('/docs/')).toBeUndefined(); // strict: no optional trailing slash
    expect(rewrite('/app/settings/profile')).toBe('/index.html');
    expect(rewrite('/u/ada')).toBe('/users/ada.html');
    expect(rewrite('/U/ada')).toBeUndefined(); // case-sensitive
    expect(rewrite('/elsewhere')).toBeUndefined();
  });

  it("applies this project's header rule to every path outside /api/", () => {
    const headers = headerRules();
    for (const path of ['/', '/docs', '/redoc', '/docs/assets/swagger-ui.css', '/avatars/x.png']) expect(headers(path).map(([name]) => name), path).toContain('X-Frame-Options');
    for (const path of ['/api/me', '/api/google/start']) expect(headers(path), path).toEqual([]);
  });
});

describe('the dev server on an IPv6 address (HOST=::1 or ::)', () => {
  it('prints a URL that can be opened, and answers a request without a Host header on it', async () => {
    for (const host of ['::1', '::']) {
      const { server, url } = await startDevServer({ host, port: 0, log: () => {} });
      try {
        expect(URL.canParse(url), url).toBe(true);
        expect((await fetch(`${url}/docs`)).status, url).toBe(200);
        // HTTP/1.0 without Host: the URL is built on the printed origin.
        const { port } = new URL(url);
        const socket = connect(Number(port), '::1');
        socket.write('GET /docs HTTP/1.0\r\n\r\n'); // the server closes after its answer
        const head = await new Promise<string>((done) => {
          let text = '';
          socket.setEncoding('utf8').on('data', (d) => (text += d)).on('close', () => done(text));
        });
        expect(head.split('\r\n')[0], url).toBe('HTTP/1.1 200 OK');
      } finally {
        server.close();
      }
    }
  });
});
