import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium.js';
import { useDatabase } from './support/database.js';
import { CookieJar } from './support/cookie-jar.js';
import { authorizeAtProvider, followCallback, startGoogleRig, type GoogleRig } from './support/google-flow.js';

/**
 * The frontend a team would write: its callback page reads `?code=` (or `?error=`), trades the
 * code at the API (cross-origin, so CORS is exercised too), and shows who is signed in.
 */
function frontendPage(apiUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Frontend</title></head>
<body>
<p id="status">working</p>
<p id="email"></p>
<script>
(async () => {
  const status = document.getElementById('status');
  const params = new URLSearchParams(location.search);
  if (params.get('error')) { status.textContent = 'error: ' + params.get('error'); return; }
  const traded = await fetch(${JSON.stringify(apiUrl)} + '/api/google/exchange', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: params.get('code') }),
  });
  if (!traded.ok) { status.textContent = 'exchange failed: ' + traded.status; return; }
  const { access_token } = await traded.json();
  history.replaceState(null, '', location.pathname); // the code is spent; drop it from the URL
  const me = await fetch(${JSON.stringify(apiUrl)} + '/api/me', { headers: { authorization: 'Bearer ' + access_token } });
  const user = await me.json();
  document.getElementById('email').textContent = user.email;
  status.textContent = 'signed in';
})().catch((error) => { document.getElementById('status').textContent = 'crashed: ' + error; });
</script>
</body></html>`;
}

/**
 * The frontend README.md recommends, with its PKCE-style pair: served at /auth/start (which begins
 * a sign-in at once, as its button would) and at the callback, which trades the code only with
 * this tab's verifier.
 */
function recommendedFrontendPage(apiUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Frontend</title></head>
<body>
<p id="status">working</p>
<p id="email"></p>
<script>
async function signInWithGoogle() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem('google_code_verifier', verifier);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  location.assign(${JSON.stringify(apiUrl)} + '/api/google/start?code_challenge=' + challenge);
}
function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
}
(async () => {
  const status = document.getElementById('status');
  if (location.pathname === '/auth/start') return signInWithGoogle();
  const params = new URLSearchParams(location.search);
  const verifier = sessionStorage.getItem('google_code_verifier');
  sessionStorage.removeItem('google_code_verifier');
  history.replaceState(null, '', location.pathname);
  if (params.get('error')) { status.textContent = 'error: ' + params.get('error'); return; }
  if (!(params.has('code') && verifier)) { status.textContent = 'no sign-in started here'; return; }
  const traded = await fetch(${JSON.stringify(apiUrl)} + '/api/google/exchange', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: params.get('code'), code_verifier: verifier }),
  });
  if (!traded.ok) { status.textContent = 'exchange failed: ' + traded.status; return; }
  const { access_token } = await traded.json();
  const me = await fetch(${JSON.stringify(apiUrl)} + '/api/me', { headers: { authorization: 'Bearer ' + access_token } });
  document.getElementById('email').textContent = (await me.json()).email;
  status.textContent = 'signed in';
})().catch((error) => { document.getElementById('status').textContent = 'crashed: ' + error; });
</script>
</body></html>`;
}

describe.skipIf(!chromiumAvailable())('Sign in with Google in headless Chromium', () => {
  let rig: GoogleRig;
  let frontend: Server;
  let browser: Browser;
  let cleanupDb: () => Promise<void>;
  let savedFrontendUrl: string | undefined;
  let page = '';

  beforeAll(async () => {
    cleanupDb = await useDatabase('pglite');
    frontend = createServer((req, res) => {
      if (/^\/auth\/(callback|start)/.test(req.url ?? '')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ready) => frontend.listen(0, '127.0.0.1', ready));
    savedFrontendUrl = process.env.FRONTEND_CALLBACK_URL;
    process.env.FRONTEND_CALLBACK_URL = `http://127.0.0.1:${(frontend.address() as AddressInfo).port}/auth/callback`;
    resetConfig();
    rig = await startGoogleRig();
    page = frontendPage(rig.app.url);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    await new Promise((done) => frontend?.close(done));
    process.env.FRONTEND_CALLBACK_URL = savedFrontendUrl;
    resetConfig();
    await cleanupDb?.();
  });

  async function newPage() {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Only loopback: the provider's page imports a web font that must not be fetched.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    return page;
  }

  it('clicks through the provider and the frontend shows the signed-in email', async () => {
    rig.provider.setAccount('browser-user', { email: 'browser.user@example.com', email_verified: true, name: 'Browser User' });
    const page = await newPage();
    await page.goto(`${rig.app.url}/api/google/start`, { waitUntil: 'domcontentloaded' });
    await page.fill('input[name=login]', 'browser-user');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${process.env.FRONTEND_CALLBACK_URL}**`);
    await expect.poll(() => page.textContent('#status'), { timeout: 10_000 }).toBe('signed in');
    expect(await page.textContent('#email')).toBe('browser.user@example.com');
    expect(page.url()).toBe(process.env.FRONTEND_CALLBACK_URL); // the code is gone from the address bar
    await page.context().close();
  });

  it('shows ?error=access_denied when the user cancels at the provider', async () => {
    const page = await newPage();
    await page.goto(`${rig.app.url}/api/google/start`, { waitUntil: 'domcontentloaded' });
    await page.click('text=[ Cancel ]');
    await page.waitForURL(`${process.env.FRONTEND_CALLBACK_URL}**`);
    await expect.poll(() => page.textContent('#status')).toBe('error: access_denied');
    await page.context().close();
  });

  describe("the README's recommended frontend (code_challenge and code_verifier)", () => {
    beforeAll(() => {
      page = recommendedFrontendPage(rig.app.url);
    });
    afterAll(() => {
      page = frontendPage(rig.app.url);
    });

    it('signs in through the provider', async () => {
      rig.provider.setAccount('pkce-user', { email: 'pkce.user@example.com', email_verified: true, name: 'Pkce User' });
      const tab = await newPage();
      await tab.goto(`${new URL(process.env.FRONTEND_CALLBACK_URL!).origin}/auth/start`);
      await tab.waitForURL(/\/interaction\//);
      await tab.fill('input[name=login]', 'pkce-user');
      await tab.fill('input[name=password]', 'any password');
      await tab.click('button[type=submit]');
      await tab.getByRole('button', { name: 'Continue' }).click();
      await tab.waitForURL(`${process.env.FRONTEND_CALLBACK_URL}**`);
      await expect.poll(() => tab.textContent('#status'), { timeout: 10_000 }).toBe('signed in');
      expect(await tab.textContent('#email')).toBe('pkce.user@example.com');
      await tab.context().close();
    });

    it("signs nobody in with an attacker's code opened in a tab that began its own sign-in (login CSRF)", async () => {
      rig.provider.setAccount('csrf-attacker', { email: 'csrf.attacker@example.com', email_verified: true, name: 'Mallory' });
      const jar = new CookieJar(); // the attacker's own browser, stopped at the callback's redirect
      const started = await jar.fetch(`${rig.app.url}/api/google/start`);
      const { code } = await followCallback(jar, await authorizeAtProvider(jar, new URL(started.headers.get('location')!), rig.app.url, 'csrf-attacker'));
      const tab = await newPage();
      await tab.goto(`${new URL(process.env.FRONTEND_CALLBACK_URL!).origin}/auth/start`); // the victim began a sign-in (a verifier is kept)…
      await tab.waitForURL(/\/interaction\//);
      await tab.goto(`${process.env.FRONTEND_CALLBACK_URL}?code=${code}`); // …and follows the attacker's link instead
      await expect.poll(() => tab.textContent('#status'), { timeout: 10_000 }).toBe('exchange failed: 400');
      await tab.context().close();
    });
  });
});
