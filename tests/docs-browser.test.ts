import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED } from '../lib/openapi/routes/index.js';
import { startDevServerProcess } from './support/dev-server-process.js';
import { newAccount } from './support/http.js';
import { tinyPng } from './support/images.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium.js';

/**
 * /docs (Swagger UI) and /redoc (ReDoc) in headless Chromium against `npm run dev`: every operation
 * shows, "Try it out" really signs up and logs in, "Authorize" (the OAuth2 password flow) really
 * signs in for /api/me. Screenshots go to test-output/docs-browser/ for a person to look at.
 */

const OUTPUT = resolve(import.meta.dirname, '../test-output/docs-browser');
describe.runIf(chromiumAvailable())('API docs in a browser', () => {
  let server: Awaited<ReturnType<typeof startDevServerProcess>>;
  let browser: Browser;
  let page: Page;
  const account = newAccount();
  const foreign: Request[] = [];
  const missing: string[] = [];
  const unblocked = () => foreign.filter((request) => request.failure()?.errorText !== 'csp').map((request) => request.url());
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    server = await startDevServerProcess();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Nothing may come from another host: the pages promise local assets, and ask for none
    // (ReDoc's logo on cdn.redoc.ly is pointed elsewhere by the asset copy; the pages'
    // Content-Security-Policy would stop it, but with an error in the console).
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    page.on('request', (request) => {
      if (!/^(data|blob):/.test(request.url()) && !request.url().startsWith(server.url)) foreign.push(request);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The expanded Swagger UI block of one operation, with "Try it out" switched on. */
  async function tryOut(tag: string, operationId: string) {
    const block = page.locator(`#operations-${tag}-${operationId}`);
    await block.locator('.opblock-summary-control').click();
    await block.locator('button.try-out__btn').click();
    return block;
  }

  /**
   * Clicks "Execute" and answers the status the page then shows. It waits for the request's own
   * response first: a block executed before still shows the previous status until the new one
   * arrives, and reading it at once raced on a busy machine.
   */
  async function execute(block: ReturnType<Page['locator']>, path: string): Promise<string> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() !== 'OPTIONS'),
      block.locator('button.execute').click(),
    ]);
    const status = block.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(async () => (await status.innerText().catch(() => '')).trim()).toBe(String(response.status()));
    return String(response.status());
  }

  it('/docs renders every documented operation from local assets', async () => {
    await page.goto(`${server.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    const operations = await page.locator('.opblock').evaluateAll((blocks) => blocks.map((b) => b.id));
    // Swagger UI writes a tag's spaces as underscores in the element id.
    expect(operations.sort()).toEqual(DOCUMENTED.map((r) => `operations-${r.tags![0]!.replaceAll(' ', '_')}-${r.operationId}`).sort());
    for (const route of DOCUMENTED) await expect(page.getByText(route.summary!, { exact: true }).count()).resolves.toBeGreaterThan(0);
    expect(unblocked()).toEqual([]);
    expect(missing).toEqual([]); // every file the page asks for is there
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui.png'), fullPage: true });
  });

  it('"Try it out" signs up (201) and logs in (200) against the dev server', async () => {
    const register = await tryOut('Account', 'register');
    await register.locator('textarea.body-param__text').fill(JSON.stringify(account));
    expect(await execute(register, '/api/register')).toBe('201');
    await expect(register.locator('.live-responses-table').innerText()).resolves.toContain(account.username);

    const login = await tryOut('Account', 'login');
    await login.locator('textarea.body-param__text').fill(JSON.stringify({ username: account.email, password: account.password }));
    expect(await execute(login, '/api/login')).toBe('200');
    await expect(login.locator('.live-responses-table').innerText()).resolves.toContain('access_token');
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui-try-it-out.png'), fullPage: true });
  });

  it('"Authorize" with the password flow signs in, and /api/me then answers 200', async () => {
    const me = await tryOut('Profile', 'getMe');
    expect(await execute(me, '/api/me')).toBe('401');

    await page.locator('.scheme-container button.authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('#oauth_username').fill(account.username);
    await modal.locator('#oauth_password').fill(account.password);
    await modal.locator('button[aria-label="Apply given OAuth2 credentials"]').click();
    await modal.locator('button', { hasText: 'Logout' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui-authorized.png') });
    await modal.locator('button.btn-done').last().click();

    expect(await execute(me, '/api/me')).toBe('200');
    await expect(me.locator('.live-responses-table').innerText()).resolves.toContain(account.email);
  });

  // Run as the page fills it, "Try it out" must not rename the account or move its email: a
  // developer trying the call on their own account would lose both (and the email's verified mark).
  it('"Try it out" on PATCH /api/me, run as the page fills it, changes no username or email: JSON, and a form with only a file chosen', async () => {
    const before = await (await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }) })).json();
    const meNow = async () => (await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${before.access_token}` } })).json();
    const { username, email } = await meNow();

    const update = await tryOut('Profile', 'updateMe');
    expect(await execute(update, '/api/me')).toBe('200');
    expect(await meNow()).toMatchObject({ username, email });

    await update.locator('.opblock-section-request-body select').selectOption('multipart/form-data');
    await update.locator('input[type=file]').setInputFiles({ name: 'avatar.png', mimeType: 'image/png', buffer: tinyPng() });
    expect(await execute(update, '/api/me')).toBe('200');
    const after = await meNow();
    expect(after).toMatchObject({ username, email });
    expect(after.avatar_url).toBeTruthy();
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui-update-me.png'), fullPage: true });
  });

  it('/redoc renders every documented operation title from local assets', async () => {
    await page.goto(`${server.url}/redoc`);
    await page.locator('h2', { hasText: DOCUMENTED[0]!.summary! }).first().waitFor();
    for (const route of DOCUMENTED) {
      await expect(page.locator('h2', { hasText: route.summary! }).count(), route.summary).resolves.toBeGreaterThan(0);
    }
    expect(unblocked()).toEqual([]);
    expect(foreign.map((request) => request.url())).toEqual([]); // not even one the CSP stops
    expect(consoleErrors.filter((line) => line.includes('/redoc'))).toEqual([]);
    expect(missing).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'redoc.png'), fullPage: true });
  });

  it('refuses to show the pages inside another site\'s frame (clickjacking); an API answer without the rule still shows', async () => {
    const framing = await browser.newPage();
    try {
      // Any framing page will do: `frame-ancestors 'none'` refuses every ancestor.
      await framing.setContent(['/docs', '/redoc', '/api/docs'].map((path) => `<iframe src="${server.url}${path}"></iframe>`).join(''));
      // setContent waits for the frames' load events too.
      const inFrame = async (path: string, read: () => string) => {
        const frame = framing.frames().find((f) => f.url() === `${server.url}${path}`);
        return frame ? frame.evaluate(read).catch(() => '') : '';
      };
      expect(await inFrame('/api/docs', () => document.body.innerText)).toContain('"openapi"'); // the control: framing itself works
      expect(await inFrame('/docs', () => document.title)).not.toContain('Swagger UI');
      expect(await inFrame('/redoc', () => document.title)).not.toContain('ReDoc');
    } finally {
      await framing.close();
    }
  });
});
