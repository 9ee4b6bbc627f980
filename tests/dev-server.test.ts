import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newAccount } from './support/http.js';
import { startDevServerProcess } from './support/dev-server-process.js';

describe('npm run dev', () => {
  let server: Awaited<ReturnType<typeof startDevServerProcess>>;
  beforeAll(async () => {
    server = await startDevServerProcess();
  });
  afterAll(() => server?.stop());

  it('prints its URL and the embedded defaults it uses', () => {
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
});
