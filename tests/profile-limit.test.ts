import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as me from '../api/me.js';
import * as registration from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { useDatabase, type DatabaseOptions, type TestDriver } from './support/database.js';
import { BASE, bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { postgresAvailable, POSTGRES_ADMIN_URL } from './support/services.js';
import { slowPatch } from './support/slow-patch.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/**
 * PATCH /api/me answers 409 for a username or email another account has: without a limit, any
 * signed-in account could ask it, as fast as it likes, which addresses have an account here. So
 * changes of either count per account (RATE_LIMIT_PROFILE_USER), taken or not.
 */

async function signUp() {
  const account = newAccount();
  const body = await (await registration.POST(jsonRequest('/api/register', account))).json();
  return { account, token: body.access_token as string };
}

const patch = (token: string, body: unknown) =>
  me.PATCH(new Request(BASE + '/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));

const current = async (token: string) => (await me.GET(bearerRequest('/api/me', token))).json();

function withLimit(driver: TestDriver, options: () => DatabaseOptions = () => ({})) {
  let cleanup = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase(driver, options());
  });
  afterAll(() => cleanup());
  beforeEach(() => {
    process.env.RATE_LIMIT_PROFILE_USER = '2/1h';
    resetConfig();
  });
  afterEach(async () => {
    await settleBackground();
    delete process.env.RATE_LIMIT_PROFILE_USER;
    resetConfig();
  });
}

describe('username and email changes per account (RATE_LIMIT_PROFILE_USER)', () => {
  withLimit('pglite');

  it('counts a taken name too, refuses past the limit with 429 changing nothing, and leaves display names and other accounts alone', async () => {
    const { account, token } = await signUp();
    const other = await signUp();
    const renamed = newAccount().username;
    expect((await patch(token, { username: renamed })).status).toBe(200);
    // The probe the limit is for: someone else's address answers 409, and spends a slot all the same.
    expect((await patch(token, { email: other.account.email })).status).toBe(409);

    const refused = await patch(token, { email: newAccount().email, username: newAccount().username });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(refused)).detail).toMatch(/^Too many username or email changes for this account\. Try again in \d+ seconds\.$/);
    // Refused before the lookup: a taken address answers 429 too, telling nothing.
    expect((await patch(token, { email: other.account.email })).status).toBe(429);
    const before = await current(token);
    expect(before).toMatchObject({ username: renamed, email: account.email.toLowerCase() });

    // A display name is no probe: it goes on, and so does the other account.
    const named = await patch(token, { full_name: 'Still Ada' });
    expect(named.status).toBe(200);
    expect(await named.json()).toMatchObject({ full_name: 'Still Ada', username: renamed, email: before.email });
    expect((await patch(other.token, { username: newAccount().username })).status).toBe(200);
  });
});

const postgres = await postgresAvailable();

describe.skipIf(!postgres)('a change that fails on the database gives its slot back (RATE_LIMIT_PROFILE_USER)', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(POSTGRES_ADMIN_URL).port || 5432));
  });
  afterAll(() => proxy.close().catch(() => {}));
  withLimit('pg', () => ({ port: proxy.port(), env: { DB_CONNECT_TIMEOUT_MS: '1000', DB_QUERY_TIMEOUT_MS: '1500' } }));

  it('answers 503 and refunds the slot after the response, so the limit counts only changes the database saw', async () => {
    const { token } = await signUp();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) {
        // The token is checked; the database goes away while the body is on its way.
        const slow = await slowPatch(token, { username: newAccount().username });
        await proxy.cut();
        const failed = await slow.answer();
        expect(failed.status).toBe(503);
        await proxy.heal();
        await settleBackground(); // the slot comes back after the response
      }
    } finally {
      log.mockRestore();
      await proxy.heal();
    }
    // Both slots are free: two changes go through, and only then is the limit spent.
    const [first, second] = [newAccount().username, newAccount().username];
    expect((await patch(token, { username: first })).status).toBe(200);
    expect((await patch(token, { username: second })).status).toBe(200);
    expect((await patch(token, { username: newAccount().username })).status).toBe(429);
    expect((await current(token)).username).toBe(second);
  });
});
