import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../lib/config.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium.js';
import { useDatabase } from './support/database.js';
import { startGoogleRig, type GoogleRig } from './support/google-flow.js';

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

describe.skipIf(!chromiumAvailable())('Sign in with Google in headless Chromium', () => {
  let rig: GoogleRig;
  let frontend: Server;
  let browser: Browser;
  let cleanupDb: () => Promise<void>;
  let savedFrontendUrl: string | undefined;

  beforeAll(async () => {
    cleanupDb = await useDatabase('pglite');
    let page = '';
    frontend = createServer((req, res) => {
      if (req.url?.startsWith('/auth/callback')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
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
});
