import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as login from '../api/login.js';
import * as register from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { useDatabase } from './support/database.js';
import { BASE, jsonRequest, newAccount, problemOf } from './support/http.js';

/**
 * A browser sends a form (urlencoded, multipart, text/plain) to another site without asking first,
 * so without a check any web page could make its visitors' browsers sign up accounts or send
 * logins, each from an address of its own. Sign-up and login refuse such a form when its Origin
 * is a page neither on this host nor in CORS_ORIGINS, before any limit counts (lib/cors.ts).
 */

const FRONTEND = new URL(process.env.FRONTEND_CALLBACK_URL!).origin;
const ELSEWHERE = 'https://elsewhere.example';

const signUpForm = (fields: Record<string, string>, origin?: string, headers: Record<string, string> = {}) => {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return register.POST(new Request(BASE + '/api/register', { method: 'POST', headers: { 'x-real-ip': '198.51.100.40', ...(origin ? { origin } : {}), ...headers }, body }));
};
const loginForm = (fields: Record<string, string>, origin?: string, type = 'application/x-www-form-urlencoded') =>
  login.POST(new Request(BASE + '/api/login', { method: 'POST', headers: { 'content-type': type, 'x-real-ip': '198.51.100.41', ...(origin ? { origin } : {}) }, body: new URLSearchParams(fields).toString() }));

let cleanup: () => Promise<void>;
beforeAll(async () => {
  cleanup = await useDatabase('pglite');
});
afterAll(() => cleanup());

describe('a form sent by a web page on another site', () => {
  const generous = { register: process.env.RATE_LIMIT_REGISTER_IP, login: process.env.RATE_LIMIT_LOGIN_ACCOUNT };
  afterEach(() => {
    process.env.RATE_LIMIT_REGISTER_IP = generous.register;
    process.env.RATE_LIMIT_LOGIN_ACCOUNT = generous.login;
    resetConfig();
  });

  it('is refused with 403 before anything counts: no account, no limit spent', async () => {
    process.env.RATE_LIMIT_REGISTER_IP = '1/1h';
    process.env.RATE_LIMIT_LOGIN_ACCOUNT = '1/1m';
    resetConfig();
    const stranger = newAccount();
    for (const origin of [ELSEWHERE, 'null', 'http://localhost:3001']) {
      const refused = await signUpForm(stranger, origin);
      expect(refused.status, origin).toBe(403);
      expect(await problemOf(refused)).toMatchObject({ type: 'urn:problem:foreign_origin' });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    // Its one sign-up an hour is still there, and the stranger's account was never made.
    const own = newAccount();
    expect((await signUpForm(own)).status).toBe(201);
    expect((await loginForm({ username: stranger.username, password: stranger.password })).status).toBe(401);

    // A login form, and text/plain, another body sent unasked: refused; the account's one failure a minute is not spent.
    expect((await loginForm({ username: own.username, password: 'wrong' }, ELSEWHERE)).status).toBe(403);
    expect((await loginForm({ username: own.username, password: 'wrong' }, ELSEWHERE, 'text/plain')).status).toBe(403);
    expect((await loginForm({ username: own.username, password: 'wrong' })).status).toBe(401);
    expect((await loginForm({ username: own.username, password: 'wrong' })).status).toBe(429);
  });

  it('goes through from this host, from the frontend (a CORS origin), and without Origin (not a page: curl, an app)', async () => {
    expect((await signUpForm(newAccount(), new URL(BASE).origin)).status).toBe(201);
    // Behind a proxy the request's URL may say http:// for a page loaded over https:// (host and port decide).
    expect((await signUpForm(newAccount(), `https://${new URL(BASE).host}`)).status).toBe(201);
    expect((await signUpForm(newAccount(), FRONTEND)).status).toBe(201);
    expect((await signUpForm(newAccount())).status).toBe(201);
    const account = newAccount();
    expect((await signUpForm(account)).status).toBe(201);
    expect((await loginForm({ username: account.username, password: account.password }, FRONTEND)).status).toBe(200);
    expect((await loginForm({ username: account.username, password: account.password }, new URL(BASE).origin)).status).toBe(200);
  });

  it("goes through when the browser itself calls it same-origin (Sec-Fetch-Site, which no page can set): a frontend's own proxy of /api may put this host in Host", async () => {
    const proxied = 'http://localhost:5181';
    expect((await signUpForm(newAccount(), proxied)).status).toBe(403);
    const sameOrigin = (origin: string, site: string) => signUpForm(newAccount(), origin, { 'sec-fetch-site': site });
    expect((await sameOrigin(proxied, 'same-origin')).status).toBe(201);
    expect((await sameOrigin(ELSEWHERE, 'cross-site')).status).toBe(403);
    expect((await sameOrigin(ELSEWHERE, 'same-site')).status).toBe(403);
  });

  it('leaves JSON alone: a page must ask first (a preflight, which only the CORS origins pass), so JSON with another Origin is no page\'s', async () => {
    const account = newAccount();
    expect((await register.POST(jsonRequest('/api/register', account, { headers: { origin: ELSEWHERE } }))).status).toBe(201);
    expect((await login.POST(jsonRequest('/api/login', { username: account.username, password: account.password }, { headers: { origin: ELSEWHERE } }))).status).toBe(200);
  });
});
