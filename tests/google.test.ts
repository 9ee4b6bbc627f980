import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { count, eq } from '../vendor/drizzle/index.mjs';
import { SignJWT, UnsecuredJWT, generateKeyPair, importJWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '../api/google/callback.js';
import { POST as exchangeHandler } from '../api/google/exchange.js';
import { GET as start } from '../api/google/start.js';
import { GET as me } from '../api/me.js';
import { getConfig, loadConfig, resetConfig, ConfigError } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { issueExchangeCode } from '../lib/exchange-codes.js';
import { signInWithGoogle, usernameBase } from '../lib/google-accounts.js';
import { fitFullName } from '../lib/schemas/common.js';
import { UpdateProfileRequest } from '../lib/schemas/profile.js';
import { getStore, resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { CookieJar } from './support/cookie-jar.js';
import { authorizeAtProvider, CLIENT, followCallback, startGoogleRig, type GoogleRig } from './support/google-flow.js';
import { bearerRequest, newAccount, problemOf } from './support/http.js';

let rig: GoogleRig;
let cleanupDb: () => Promise<void>;
beforeAll(async () => {
  cleanupDb = await useDatabase('pglite');
  rig = await startGoogleRig();
});
afterAll(async () => {
  await rig?.close();
  await cleanupDb?.();
});
afterEach(() => vi.restoreAllMocks());

let counter = 0;
/** A fresh provider login name (the `sub`) and a unique email. */
function identity(claims: { email_verified?: boolean; email?: string; name?: string; picture?: string } = {}) {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}`;
  const sub = `google-${id}`;
  const account = { email: `g${id}@example.com`, email_verified: true, name: `Grace ${id}`, ...claims };
  rig.provider.setAccount(sub, account);
  return { sub, ...account };
}

async function beginSignIn(jar = new CookieJar()) {
  const response = await jar.fetch(`${rig.app.url}/api/google/start`);
  expect(response.status).toBe(302);
  return { jar, response, authorizationUrl: new URL(response.headers.get('location')!) };
}

/** The whole browser round trip: start → provider login and consent → callback. */
async function signInAtProvider(sub: string, options: { deny?: boolean } = {}) {
  const { jar, authorizationUrl } = await beginSignIn();
  const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, sub, options);
  return { jar, callbackUrl, ...(await followCallback(jar, callbackUrl)) };
}

function exchange(code: string) {
  return fetch(`${rig.app.url}/api/google/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
}

async function profileFor(code: string) {
  const traded = await exchange(code);
  expect(traded.status).toBe(200);
  const token = await traded.json();
  expect(token).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
  const profile = await fetch(`${rig.app.url}/api/me`, { headers: { authorization: `Bearer ${token.access_token}` } });
  expect(profile.status).toBe(200);
  return profile.json();
}

async function userRowByEmail(email: string) {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

async function userCount(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(users);
  return Number(row!.n);
}

async function registerWithPassword(overrides: Record<string, unknown> = {}) {
  const account = newAccount(overrides);
  const response = await fetch(`${rig.app.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  expect(response.status).toBe(201);
  return { account, user: (await response.json()).user };
}

function expectNoToken(location: URL) {
  expect([...location.searchParams.keys()]).toEqual(['error']);
  expect(location.toString()).not.toMatch(/eyJ/); // no JWT of any kind
  expect(`${location.origin}${location.pathname}`).toBe(process.env.FRONTEND_CALLBACK_URL);
}

describe('GET /api/google/start', () => {
  it('redirects to the provider with PKCE S256, state, nonce and scopes, and sets the encrypted cookie', async () => {
    const { response, authorizationUrl, jar } = await beginSignIn();
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(rig.provider.authorizationUrl);
    const params = authorizationUrl.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(CLIENT.clientId);
    expect(params.get('redirect_uri')).toBe(`${rig.app.url}/api/google/callback`);
    expect(params.get('scope')).toBe('openid email profile');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(params.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^google_signin=[^;]+; Path=\/api\/google; Max-Age=600; HttpOnly; SameSite=Lax$/);
    // Encrypted: neither the state nor the verifier's challenge input can be read from it.
    const value = jar.get(rig.app.url, 'google_signin')!;
    expect(value.split('.')).toHaveLength(5);
    expect(Buffer.from(value.split('.')[3]!, 'base64url').toString('latin1')).not.toContain(params.get('state'));
  });

  it('marks the cookie Secure and derives the redirect URI from the origin outside localhost; GOOGLE_REDIRECT_URI wins', async () => {
    const response = await start(new Request('https://auth.example.com/api/google/start'));
    expect(response.headers.getSetCookie()[0]).toMatch(/; Secure$/);
    expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://auth.example.com/api/google/callback');
    process.env.GOOGLE_REDIRECT_URI = 'https://api.example.org/api/google/callback';
    resetConfig();
    try {
      const configured = await start(new Request('https://api.example.org/api/google/start'));
      expect(new URL(configured.headers.get('location')!).searchParams.get('redirect_uri')).toBe(process.env.GOOGLE_REDIRECT_URI);
    } finally {
      delete process.env.GOOGLE_REDIRECT_URI;
      resetConfig();
    }
  });

  it("started on another host than GOOGLE_REDIRECT_URI's (a preview deployment), first sends the browser to start on that host, where the host-only cookie must be set", async () => {
    process.env.GOOGLE_REDIRECT_URI = 'https://auth.example.com/api/google/callback';
    resetConfig();
    try {
      const challenge = 'C'.repeat(43);
      const preview = await start(new Request(`https://preview-abc.vercel.app/api/google/start?code_challenge=${challenge}`));
      expect(preview.status).toBe(302);
      expect(preview.headers.get('location')).toBe(`https://auth.example.com/api/google/start?code_challenge=${challenge}&moved=1`);
      expect(preview.headers.getSetCookie()).toEqual([]); // no cookie for a host Google does not return to
      const there = await start(new Request(preview.headers.get('location')!));
      expect(there.headers.getSetCookie()[0]).toMatch(/^__Host-google_signin=[^;]+; Path=\/;/);
      const redirectUri = new URL(new URL(there.headers.get('location')!).searchParams.get('redirect_uri')!);
      expect(redirectUri.host).toBe('auth.example.com'); // the host that holds the cookie
      // Behind a proxy that rewrites Host to yet another name, the moved start goes on to Google
      // instead of bouncing the browser again (a redirect loop).
      const proxied = await start(new Request(preview.headers.get('location')!.replace('auth.example.com', 'backend.internal')));
      expect(new URL(proxied.headers.get('location')!).origin).toBe(new URL(getConfig().google.authorizationUrl).origin);
      // On the redirect URI's own host, reached over plain http or another port (TLS ended at a
      // proxy in front), the sign-in goes straight on to Google: hosts are compared, as cookies are.
      for (const url of ['http://auth.example.com/api/google/start', 'https://auth.example.com:8443/api/google/start']) {
        const direct = await start(new Request(url));
        expect(new URL(direct.headers.get('location')!).origin, url).toBe(new URL(getConfig().google.authorizationUrl).origin);
        expect(direct.headers.getSetCookie()[0], url).toMatch(/^__Host-google_signin=/);
      }
    } finally {
      delete process.env.GOOGLE_REDIRECT_URI;
      resetConfig();
    }
  });
});

describe('sign-in through a real OpenID provider', () => {
  it('answers ?error=server_error, and no code, when Redis is down as the exchange code is stored; the reason is logged under an id', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    Object.assign(process.env, { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'refused-token' }); // a closed port
    resetConfig();
    resetStore();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { code, error, location } = await followCallback(jar, callbackUrl);
      expect(error).toBe('server_error');
      expect(code).toBeNull();
      expect([...location.searchParams.keys()]).toEqual(['error']);
      expect(logged.mock.calls.flat().join(' ')).toMatch(/^\[[0-9a-f-]{36}\] google sign-in crashed: /);
    } finally {
      delete process.env.UPSTASH_REDIS_REST_URL;
      delete process.env.UPSTASH_REDIS_REST_TOKEN;
      resetConfig();
      resetStore();
    }
  });

  it('completes a sign-in started on another host than GOOGLE_REDIRECT_URI names (localhost, the callback on 127.0.0.1)', async () => {
    const who = identity();
    process.env.GOOGLE_REDIRECT_URI = `${rig.app.url}/api/google/callback`; // the URI the provider has registered
    resetConfig();
    try {
      const jar = new CookieJar();
      const elsewhere = await jar.fetch(`${rig.app.url.replace('127.0.0.1', 'localhost')}/api/google/start`);
      expect(elsewhere.status).toBe(302);
      expect(new URL(elsewhere.headers.get('location')!).host).toBe(new URL(rig.app.url).host); // start again on the callback's host
      const started = await jar.fetch(elsewhere.headers.get('location')!);
      const callbackUrl = await authorizeAtProvider(jar, new URL(started.headers.get('location')!), rig.app.url, who.sub);
      const { code, error } = await followCallback(jar, callbackUrl);
      expect(error).toBeNull();
      expect((await profileFor(code!)).email).toBe(who.email);
    } finally {
      delete process.env.GOOGLE_REDIRECT_URI;
      resetConfig();
    }
  });

  it('creates a new user with a verified email, name and avatar, and /api/me shows them', async () => {
    const n = Date.now().toString(36);
    const who = identity({ email: `Ada.${n}@Example.com`, picture: 'https://images.example.com/ada.png' });
    const before = await userCount();
    const { code, location, jar } = await signInAtProvider(who.sub);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...location.searchParams.keys()]).toEqual(['code']);
    expect(jar.get(rig.app.url, 'google_signin')).toBeUndefined(); // the callback cleared it
    const user = await profileFor(code!);
    expect(user).toMatchObject({
      email: who.email.toLowerCase(),
      email_verified: true,
      full_name: who.name,
      avatar_url: 'https://images.example.com/ada.png',
      username: `ada.${n}`, // from the email, which is stored lower-cased
    });
    expect(await userCount()).toBe(before + 1);
    expect((await userRowByEmail(who.email.toLowerCase()))!.googleSub).toBe(who.sub);
  });

  it('signs a returning user in by sub, even after their Google email changed', async () => {
    const who = identity();
    const first = await profileFor((await signInAtProvider(who.sub)).code!);
    rig.provider.setAccount(who.sub, { ...who, email: `changed-${who.email}` });
    const before = await userCount();
    const second = await profileFor((await signInAtProvider(who.sub)).code!);
    expect(second.id).toBe(first.id);
    expect(second.email).toBe(who.email);
    expect(await userCount()).toBe(before);
  });

  function passwordLogin(account: { username: string; password: string }) {
    return fetch(`${rig.app.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account.username, password: account.password }),
    });
  }

  it('links to an existing account whose email was proved, which keeps its password and sessions', async () => {
    const { account, user } = await registerWithPassword();
    const token = (await (await passwordLogin(account)).json()).access_token;
    // Proved by a password reset code (here set directly, as the reset does).
    await (await getDb()).update(users).set({ emailVerified: true }).where(eq(users.id, user.id));
    const who = identity({ email: account.email.toUpperCase() });
    const before = await userCount();
    const signedIn = await profileFor((await signInAtProvider(who.sub)).code!);
    expect(signedIn.id).toBe(user.id);
    expect(signedIn.email_verified).toBe(true);
    expect(await userCount()).toBe(before);
    expect((await userRowByEmail(account.email))!.googleSub).toBe(who.sub);
    expect((await passwordLogin(account)).status).toBe(200);
    expect((await me(bearerRequest('/api/me', token))).status).toBe(200);
  });

  it("a Google account that changed its email to someone else's address loses the account to that person's Google sign-in", async () => {
    const attacker = identity();
    const traded = await (await exchange((await signInAtProvider(attacker.sub)).code!)).json();
    const victimEmail = `victim-${attacker.sub}@example.com`;
    const patched = await fetch(`${rig.app.url}/api/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${traded.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: victimEmail }),
    });
    expect(patched.status).toBe(200);
    const owner = identity({ email: victimEmail });
    const signedIn = await profileFor((await signInAtProvider(owner.sub)).code!);
    expect(signedIn).toMatchObject({ email: victimEmail, email_verified: true });
    expect((await userRowByEmail(victimEmail))!.googleSub).toBe(owner.sub);
    expect((await me(bearerRequest('/api/me', traded.access_token))).status).toBe(401);
    // The attacker's Google identity no longer reaches that account.
    expect((await profileFor((await signInAtProvider(attacker.sub)).code!)).id).not.toBe(signedIn.id);
  });

  it('takes over an account whose email was never proved: its password and tokens stop working (pre-account takeover)', async () => {
    // Someone signs up first with the address of a person who later comes through Google.
    const { account, user } = await registerWithPassword();
    expect(user.email_verified).toBe(false);
    const squatterToken = (await (await passwordLogin(account)).json()).access_token;
    const owner = identity({ email: account.email });
    const signedIn = await profileFor((await signInAtProvider(owner.sub)).code!);
    expect(signedIn).toMatchObject({ id: user.id, email_verified: true });
    expect((await passwordLogin(account)).status).toBe(401);
    expect((await me(bearerRequest('/api/me', squatterToken))).status).toBe(401);
    const row = (await userRowByEmail(account.email))!;
    expect(row).toMatchObject({ googleSub: owner.sub, passwordHash: null, tokenVersion: 1 });
  });

  it('refuses an unverified Google email that matches an account, and links nothing', async () => {
    const { account } = await registerWithPassword();
    const who = identity({ email: account.email, email_verified: false });
    const before = await userCount();
    const { error, code, location } = await signInAtProvider(who.sub);
    expect(error).toBe('email_not_verified');
    expect(code).toBeNull();
    expectNoToken(location);
    expect((await userRowByEmail(account.email))!.googleSub).toBeNull();
    expect(await userCount()).toBe(before);
  });

  it('refuses an unverified Google email without an account too, creating nothing', async () => {
    const who = identity({ email_verified: false });
    const before = await userCount();
    expect((await signInAtProvider(who.sub)).error).toBe('email_not_verified');
    expect(await userCount()).toBe(before);
  });

  it('sends a blocked account to ?error=account_blocked', async () => {
    const who = identity();
    await profileFor((await signInAtProvider(who.sub)).code!);
    const db = await getDb();
    await db.update(users).set({ isBlocked: true }).where(eq(users.googleSub, who.sub));
    const { error, location } = await signInAtProvider(who.sub);
    expect(error).toBe('account_blocked');
    expectNoToken(location);
  });

  it('a blocked, not yet linked account with the same verified email is refused and not linked', async () => {
    const { account, user } = await registerWithPassword();
    await (await getDb()).update(users).set({ emailVerified: true, isBlocked: true }).where(eq(users.id, user.id));
    const who = identity({ email: account.email });
    const { error } = await signInAtProvider(who.sub);
    expect(error).toBe('account_blocked');
    expect((await userRowByEmail(account.email))!.googleSub).toBeNull();
  });

  it('each start draws a fresh state, nonce and verifier', async () => {
    const a = (await beginSignIn()).authorizationUrl.searchParams;
    const b = (await beginSignIn()).authorizationUrl.searchParams;
    for (const k of ['state', 'nonce', 'code_challenge']) expect(a.get(k)).not.toBe(b.get(k));
    expect(a.get('state')).not.toBe(a.get('nonce'));
  });

  it('keeps only an https picture', async () => {
    const who = identity({ picture: 'http://images.example.com/plain.png' });
    expect((await profileFor((await signInAtProvider(who.sub)).code!)).avatar_url).toBeNull();
  });

  it('answers ?error=access_denied when the user cancels at the provider', async () => {
    const who = identity();
    const before = await userCount();
    const { error, location, callbackUrl } = await signInAtProvider(who.sub, { deny: true });
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(error).toBe('access_denied');
    expectNoToken(location);
    expect(await userCount()).toBe(before);
  });

  it('answers ?error=invalid_state when the state does not match the cookie, signs nobody in, and leaves the flow in progress', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', `${callbackUrl.searchParams.get('state')!.slice(0, -1)}x`);
    const { error, location, response } = await followCallback(jar, forged);
    expect(error).toBe('invalid_state');
    expectNoToken(location);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await userRowByEmail(who.email)).toBeUndefined();
    // A callback that was not this flow's did not end it: the real one still signs in, and clears the cookie.
    const real = await followCallback(jar, callbackUrl);
    expect(real.code).toBeTruthy();
    expect(real.response.headers.getSetCookie()[0]).toMatch(/^google_signin=; Path=\/api\/google; Max-Age=0;/);
  });

  it('clears the cookie once a matching callback failed after its state check (the flow is used up)', async () => {
    const { error, jar, callbackUrl, response } = await signInAtProvider(identity().sub, { deny: true });
    expect(error).toBe('access_denied');
    expect(response.headers.getSetCookie()[0]).toMatch(/^google_signin=; Path=\/api\/google; Max-Age=0;/);
    expect((await followCallback(jar, callbackUrl)).error).toBe('invalid_state');
  });

  it('lets the newer of two sign-ins in one browser finish when the older tab comes back first, and a stray visit to the callback end neither', async () => {
    const who = identity();
    const jar = new CookieJar();
    const older = await beginSignIn(jar);
    const olderCallback = await authorizeAtProvider(jar, older.authorizationUrl, rig.app.url, who.sub);
    const newer = await beginSignIn(jar); // replaces the older flow's cookie
    const newerCallback = await authorizeAtProvider(jar, newer.authorizationUrl, rig.app.url, who.sub);
    const stray = await followCallback(jar, new URL('/api/google/callback', rig.app.url));
    expect(stray.error).toBe('invalid_state');
    expect(stray.response.headers.getSetCookie()).toEqual([]);
    expect((await followCallback(jar, olderCallback)).error).toBe('invalid_state');
    const { code } = await followCallback(jar, newerCallback);
    expect(code).toBeTruthy();
    expect((await profileFor(code!)).email).toBe(who.email);
  });

  it('checks the RFC 9207 `iss` of the authorization response: another issuer is refused and signs nobody in', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    // The stand-in provider names itself, as Google does.
    expect(callbackUrl.searchParams.get('iss')).toBe(process.env.GOOGLE_ISSUER);
    callbackUrl.searchParams.set('iss', 'https://attacker.example.com');
    const { error, location } = await followCallback(jar, callbackUrl);
    expect(error).toBe('provider_error');
    expectNoToken(location);
    expect(await userRowByEmail(who.email)).toBeUndefined();
  });

  it('parses the callback query with its schema: a parameter past its documented length is a provider_error, and signs nobody in', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    callbackUrl.searchParams.set('state', callbackUrl.searchParams.get('state')!.padEnd(600, 'x'));
    const { error, location } = await followCallback(jar, callbackUrl);
    expect(error).toBe('provider_error'); // not invalid_state: refused before the state is compared
    expectNoToken(location);
    expect(await userRowByEmail(who.email)).toBeUndefined();
  });

  it('refuses a callback with a parameter sent twice (iss=<attacker>&iss=<provider>): provider_error, nobody signed in', async () => {
    for (const [name, first] of [['iss', 'https://attacker.example.com'], ['error', 'access_denied'], ['state', 'not-the-state']] as const) {
      const who = identity();
      const { jar, authorizationUrl } = await beginSignIn();
      const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
      // The genuine value last: a reader that takes the last one would let the first one through.
      const genuine = callbackUrl.searchParams.get(name);
      callbackUrl.searchParams.set(name, first);
      callbackUrl.searchParams.append(name, genuine ?? '');
      const { error, location } = await followCallback(jar, callbackUrl);
      expect(error, name).toBe('provider_error');
      expectNoToken(location);
      expect(await userRowByEmail(who.email)).toBeUndefined();
    }
  });

  it('answers ?error=invalid_state without the cookie (another browser) or with a tampered one', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    expect((await followCallback(new CookieJar(), callbackUrl)).error).toBe('invalid_state');
    const cookie = jar.get(rig.app.url, 'google_signin')!;
    // Change one character well inside the last segment (the authentication tag): always other
    // bytes, unlike overwriting the final characters, whose low bits are only padding.
    const at = cookie.length - 8;
    const flipped = `${cookie.slice(0, at)}${cookie[at] === 'A' ? 'B' : 'A'}${cookie.slice(at + 1)}`;
    const tampered = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `google_signin=${flipped}` } });
    expect(new URL(tampered.headers.get('location')!).searchParams.get('error')).toBe('invalid_state');
    expect(await userRowByEmail(who.email)).toBeUndefined();
  });

  it('does not honour a replayed callback, with the cleared cookie or with a copy of the old one', async () => {
    const who = identity();
    const { jar, authorizationUrl } = await beginSignIn();
    const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, rig.app.url, who.sub);
    const oldCookie = jar.header(rig.app.url);
    const first = await followCallback(jar, callbackUrl);
    expect(first.code).toBeTruthy();
    const again = await followCallback(jar, callbackUrl);
    expect(again.error).toBe('invalid_state');
    expectNoToken(again.location);
    // An attacker who kept the cookie: the provider refuses the used code.
    const stolen = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: oldCookie } });
    const location = new URL(stolen.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('provider_error');
    expectNoToken(location);
  });
});

describe('ID token checks (crafted tokens from a loopback token endpoint)', () => {
  let tokenServer: Server;
  let idToken: (claims: { nonce: string }) => Promise<string>;
  let lastTokenRequest: { authorization: string; body: URLSearchParams } | undefined;

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        lastTokenRequest = { authorization: req.headers.authorization ?? '', body: form };
        const nonce = form.get('code')!; // the test passes the nonce as the code
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'opaque', token_type: 'Bearer', expires_in: 3600, id_token: await idToken({ nonce }) }));
      });
    });
    await new Promise<void>((ready) => tokenServer.listen(0, '127.0.0.1', ready));
    process.env.GOOGLE_TOKEN_URL = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    resetConfig();
  });
  afterAll(async () => {
    process.env.GOOGLE_TOKEN_URL = rig.provider.tokenUrl;
    resetConfig();
    await new Promise((done) => tokenServer.close(done));
  });

  async function providerKey() {
    return importJWK(rig.provider.signingKey, 'RS256');
  }

  function claimsFor(sub: string, nonce: string, overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: rig.provider.issuer,
      aud: CLIENT.clientId,
      sub,
      iat: now,
      exp: now + 600,
      nonce,
      email: `${sub}@example.com`,
      email_verified: true,
      ...overrides,
    };
  }

  /** start → callback with the state of this browser and an ID token made by `make`. */
  async function callbackWith(make: (nonce: string) => Promise<string>) {
    idToken = ({ nonce }) => make(nonce);
    const { jar, authorizationUrl } = await beginSignIn();
    const nonce = authorizationUrl.searchParams.get('nonce')!;
    const url = new URL(`${rig.app.url}/api/google/callback`);
    url.searchParams.set('code', nonce);
    url.searchParams.set('state', authorizationUrl.searchParams.get('state')!);
    return { ...(await followCallback(jar, url)), authorizationUrl };
  }

  const sign = async (claims: Record<string, unknown>, key?: CryptoKey | Uint8Array) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key ?? (await providerKey()));

  it('accepts a well-formed token (the control for the cases below) and sends the PKCE verifier with Basic credentials', async () => {
    const sub = `crafted-ok-${Date.now()}`;
    const { code, authorizationUrl } = await callbackWith((nonce) => sign(claimsFor(sub, nonce)));
    expect(code).toBeTruthy();
    expect(lastTokenRequest!.authorization).toBe(`Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`);
    const verifier = lastTokenRequest!.body.get('code_verifier')!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authorizationUrl.searchParams.get('code_challenge'));
    expect((await profileFor(code!)).email).toBe(`${sub}@example.com`);
  });

  it.each([
    ['a wrong audience', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), aud: 'someone-elses-client' })],
    ['an expired token', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 })],
    // Past the 5 s allowed for clock skew, not a minute: a token expired 15 s ago is expired.
    ['a token expired 15 s ago', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 15 })],
    ['a wrong issuer', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), iss: 'https://evil.example.com' })],
    ['another nonce', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), nonce: `${nonce}x` })],
    ['no nonce', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), nonce: undefined })],
    ['no exp', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), exp: undefined })],
    ['no iat', (sub: string, nonce: string) => ({ ...claimsFor(sub, nonce), iat: undefined })],
  ])('refuses %s with ?error=invalid_id_token', async (_name, claims) => {
    const sub = `crafted-bad-${Date.now()}`;
    const before = await userCount();
    const { error, location } = await callbackWith((nonce) => sign(claims(sub, nonce)));
    expect(error).toBe('invalid_id_token');
    expectNoToken(location);
    expect(await userCount()).toBe(before);
  });

  it('pins RS256: a token signed with another algorithm by the right key, from a key set whose key names no algorithm, is refused', async () => {
    // Google's keys name RS256, which would refuse another algorithm by itself; a key without `alg`
    // leaves it to the verifier's pin. The same RSA key, served without its `alg`, signs PS256.
    const { alg: _alg, d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = rig.provider.signingKey as Record<string, unknown>;
    const keys = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((ready) => keys.listen(0, '127.0.0.1', ready));
    process.env.GOOGLE_JWKS_URL = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/jwks`;
    resetConfig();
    try {
      const pss = await importJWK({ ...rig.provider.signingKey, alg: 'PS256' }, 'PS256');
      const signWith = (alg: string, key: Awaited<ReturnType<typeof importJWK>>, claims: Record<string, unknown>) =>
        new SignJWT(claims).setProtectedHeader({ alg, kid: 'test-key' }).sign(key);
      const refused = await callbackWith((nonce) => signWith('PS256', pss, claimsFor(`crafted-ps256-${Date.now()}`, nonce)));
      expect(refused.error).toBe('invalid_id_token');
      expectNoToken(refused.location);
      // The control: RS256 with that same alg-less key set is accepted.
      const accepted = await callbackWith(async (nonce) => signWith('RS256', await providerKey(), claimsFor(`crafted-rs256-${Date.now()}`, nonce)));
      expect(accepted.code).toBeTruthy();
    } finally {
      process.env.GOOGLE_JWKS_URL = rig.provider.jwksUrl;
      resetConfig();
      await new Promise((done) => keys.close(done));
    }
  });

  it('checks azp (OpenID Connect Core 3.1.3.7): refused when it names another client, or is missing beside several audiences; ours is accepted', async () => {
    const refused = [
      { aud: [CLIENT.clientId, 'other-client'], azp: 'other-client' },
      { azp: 'other-client' }, // our aud alone
      { aud: [CLIENT.clientId, 'other-client'] },
    ];
    const before = await userCount();
    for (const claims of refused) {
      const { error, location } = await callbackWith((nonce) => sign(claimsFor(`crafted-azp-${Date.now()}`, nonce, claims)));
      expect(error, JSON.stringify(claims)).toBe('invalid_id_token');
      expectNoToken(location);
    }
    expect(await userCount()).toBe(before);
    const ours = await callbackWith((nonce) => sign(claimsFor(`crafted-azp-ours-${Date.now()}`, nonce, { aud: [CLIENT.clientId, 'other-client'], azp: CLIENT.clientId })));
    expect(ours.code).toBeTruthy();
  });

  it("accepts both spellings of Google's issuer when GOOGLE_ISSUER is not set, and no other", async () => {
    const configured = process.env.GOOGLE_ISSUER;
    delete process.env.GOOGLE_ISSUER;
    resetConfig();
    try {
      for (const iss of ['accounts.google.com', 'https://accounts.google.com']) {
        const sub = `crafted-iss-${Date.now()}-${iss.length}`;
        expect((await callbackWith((nonce) => sign(claimsFor(sub, nonce, { iss })))).code).toBeTruthy();
      }
      const other = await callbackWith((nonce) => sign(claimsFor(`crafted-iss-other-${Date.now()}`, nonce)));
      expect(other.error).toBe('invalid_id_token'); // the local provider's own issuer, no longer configured
    } finally {
      process.env.GOOGLE_ISSUER = configured;
      resetConfig();
    }
  });

  it('refuses a bad signature (another key under the same kid) and an unsigned token', async () => {
    const sub = `crafted-sig-${Date.now()}`;
    const { privateKey } = await generateKeyPair('RS256');
    expect((await callbackWith((nonce) => sign(claimsFor(sub, nonce), privateKey))).error).toBe('invalid_id_token');
    expect((await callbackWith(async (nonce) => new UnsecuredJWT(claimsFor(sub, nonce)).encode())).error).toBe('invalid_id_token');
    const hmac = (nonce: string) =>
      new SignJWT(claimsFor(sub, nonce)).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(CLIENT.clientSecret));
    expect((await callbackWith(hmac)).error).toBe('invalid_id_token');
    expect(await userRowByEmail(`${sub}@example.com`)).toBeUndefined();
  });

  it.each([
    ['no email_verified claim', undefined],
    ['email_verified "false" as a string', 'false'],
  ])('refuses %s as unverified, linking and creating nothing', async (_n, value) => {
    const sub = `crafted-unverified-${Date.now()}-${Math.random()}`;
    const before = await userCount();
    const { error } = await callbackWith((nonce) => sign({ ...claimsFor(sub, nonce), email_verified: value }));
    expect(error).toBe('email_not_verified');
    expect(await userCount()).toBe(before);
  });

  it('takes email_verified "true" as a string (as some providers send it) for verified', async () => {
    const sub = `crafted-verified-string-${Date.now()}`;
    const { code } = await callbackWith((nonce) => sign({ ...claimsFor(sub, nonce), email_verified: 'true' }));
    expect(code).toBeTruthy();
    expect((await profileFor(code!)).email_verified).toBe(true);
  });

  it('refuses an empty sub', async () => {
    const { error } = await callbackWith((nonce) => sign({ ...claimsFor('', nonce), email: `empty-sub-${Date.now()}@example.com` }));
    expect(error).toBe('invalid_id_token');
  });
});

describe('POST /api/google/exchange', () => {
  it('trades a code once: the second try is a 400 problem', async () => {
    const { code } = await signInAtProvider(identity().sub);
    expect((await exchange(code!)).status).toBe(200);
    const again = await exchange(code!);
    expect(again.status).toBe(400);
    expect((await problemOf(again)).type).toBe('urn:problem:invalid_code');
  });

  it('lets exactly one of two racing exchanges win', async () => {
    const { code } = await signInAtProvider(identity().sub);
    const answers = await Promise.all([exchange(code!), exchange(code!), exchange(code!)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
  });

  it('answers 400 for an unknown code and 422 for a malformed body', async () => {
    const unknown = await exchange('x'.repeat(43));
    expect(unknown.status).toBe(400);
    expect((await problemOf(unknown)).detail).toMatch(/unknown, already used or expired/);
    const malformed = await exchangeHandler(
      new Request(`${rig.app.url}/api/google/exchange`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":""}' }),
    );
    expect(malformed.status).toBe(422);
  });

  it('stores codes for 60 seconds under an HMAC, never the code itself', async () => {
    const put = vi.spyOn(getStore(), 'put');
    const code = await issueExchangeCode({ id: '00000000-0000-0000-0000-000000000000', tokenVersion: 3 });
    expect(put).toHaveBeenCalledTimes(1);
    const [key, value, ttl] = put.mock.calls[0]!;
    expect(key).toMatch(/^exchange:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain(code);
    // Its absolute expiry, token version and user id.
    const [expiresAt, rest] = [Number(value.split(':')[0]), value.slice(value.indexOf(':') + 1)];
    expect(rest).toBe('3:00000000-0000-0000-0000-000000000000');
    expect(Math.abs(expiresAt - (Date.now() + 60_000))).toBeLessThan(5_000);
    expect(ttl).toBe(60);
  });

  it('a user blocked after the callback gets a token from the exchange that is refused on first use', async () => {
    const who = identity();
    const { code } = await signInAtProvider(who.sub);
    const db = await getDb();
    await db.update(users).set({ isBlocked: true }).where(eq(users.googleSub, who.sub));
    // The exchange reads no database (the code carries the grant); the token's first use does.
    const answer = await exchange(code!);
    expect(answer.status).toBe(200);
    const { access_token } = await answer.json();
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(401);
    await db.update(users).set({ isBlocked: false }).where(eq(users.googleSub, who.sub));
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });

  it('a password reset after the callback revokes the token the exchange then gives', async () => {
    const who = identity();
    const { code } = await signInAtProvider(who.sub);
    const db = await getDb();
    await db.update(users).set({ tokenVersion: 1 }).where(eq(users.googleSub, who.sub));
    const { access_token } = await (await exchange(code!)).json();
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(401);
  });
});

describe('account resolution under races', () => {
  it('two simultaneous first sign-ins of one Google identity make one account', async () => {
    const profile = { sub: `race-${Date.now()}`, email: `race-${Date.now()}@example.com`, emailVerified: true, name: 'Race', picture: undefined };
    const before = await userCount();
    const [a, b] = await Promise.all([signInWithGoogle(profile), signInWithGoogle(profile)]);
    expect(a.id).toBe(b.id);
    expect(await userCount()).toBe(before + 1);
  });

  it('keeps a Google name as a display name without control or text-direction characters, as PATCH /api/me would', async () => {
    const p = { sub: `sub-name-${Date.now()}`, email: `name${Date.now()}@example.com`, emailVerified: true, name: ' Ada\u202e Love\nlace\u0007 ', picture: undefined };
    const user = await signInWithGoogle(p);
    expect(user.fullName).toBe('Ada Lovelace');
    expect(UpdateProfileRequest.safeParse({ full_name: user.fullName }).success).toBe(true);
    expect(UpdateProfileRequest.safeParse({ full_name: p.name }).success).toBe(false);
    expect(fitFullName('\u202e\n')).toBeNull();
    expect(fitFullName('x'.repeat(150))).toBe('x'.repeat(100)); // FullName's limit
  });

  it('derives valid usernames from the email, else the name, else a random one', () => {
    expect(usernameBase({ email: 'ada.lovelace+news@gmail.com' })).toBe('ada.lovelacenews');
    expect(usernameBase({ email: 'é@example.com', name: 'Zoë Ng' })).toBe('ZoeNg');
    expect(usernameBase({ email: 'ab@example.com' })).toMatch(/^user_[0-9a-f]{6}$/);
    expect(usernameBase({ email: `${'x'.repeat(60)}@example.com` })).toHaveLength(32);
  });

  it('gives Google users whose emails share a local part distinct usernames', async () => {
    const stamp = Date.now();
    const one = await signInWithGoogle({ sub: `u1-${stamp}`, email: `same${stamp}@a.example`, emailVerified: true, name: undefined, picture: undefined });
    const two = await signInWithGoogle({ sub: `u2-${stamp}`, email: `same${stamp}@b.example`, emailVerified: true, name: undefined, picture: undefined });
    expect(one.username).toBe(`same${stamp}`);
    expect(two.username).toMatch(new RegExp(`^same${stamp}_[0-9a-f]{4}$`));
  });
});

describe('redirect targets', () => {
  it('the callback goes only to FRONTEND_CALLBACK_URL, whatever redirect parameter a link carries', async () => {
    for (const name of ['redirect_to', 'redirect_uri', 'redirect', 'next', 'return_to', 'returnTo', 'continue', 'url']) {
      const query = `code=a&state=b&${name}=${encodeURIComponent('https://evil.example/steal')}`;
      const response = await callback(new Request(`http://localhost:3000/api/google/callback?${query}`));
      expect(response.status, name).toBe(302);
      expectNoToken(new URL(response.headers.get('location')!));
    }
  });
});

describe('without Google configured', () => {
  it('start and callback answer 503 problem+json "Google sign-in is not configured", of a type of its own and with no Retry-After (not an outage to wait out)', async () => {
    const saved = process.env.GOOGLE_CLIENT_ID;
    delete process.env.GOOGLE_CLIENT_ID;
    resetConfig();
    try {
      for (const response of [
        await start(new Request('http://localhost:3000/api/google/start')),
        await callback(new Request('http://localhost:3000/api/google/callback?code=a&state=b')),
      ]) {
        expect(response.status).toBe(503);
        expect(await problemOf(response)).toMatchObject({ type: 'urn:problem:google_not_configured', detail: 'Google sign-in is not configured.' });
        expect(response.headers.get('location')).toBeNull();
        expect(response.headers.get('retry-after')).toBeNull();
      }
    } finally {
      process.env.GOOGLE_CLIENT_ID = saved;
      resetConfig();
    }
  });

  it('production refuses to load without the client id and secret', () => {
    let problems: string[] = [];
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toContain('GOOGLE_CLIENT_ID is missing');
    expect(problems).toContain('GOOGLE_CLIENT_SECRET is missing');
  });
});
