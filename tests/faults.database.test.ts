import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as exchange } from '../api/google/exchange.js';
import { POST as login } from '../api/login.js';
import { GET as me, PATCH as patchMe } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { answerFirst, settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { issueExchangeCode } from '../lib/exchange-codes.js';
import { sql } from '../vendor/drizzle/index.mjs';
import { useDatabase } from './support/database.js';
import { hashHook } from './support/hash-hook.js';
import { bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { latestCode } from './support/outbox.js';
import { postgresAvailable, POSTGRES_ADMIN_URL } from './support/services.js';
import { startTcpProxy } from './support/tcp-proxy.js';

vi.mock('../lib/passwords.js', async (original) => (await import('./support/hash-hook.js')).hookedPasswords(await original()));

const enabled = await postgresAvailable();

/**
 * The database goes away mid-life and comes back: clear 503s meanwhile, nothing half-written.
 * With node-postgres the pool's connections drop; with Neon's HTTP driver its endpoint stays up
 * but cannot reach the database behind it.
 */
describe.skipIf(!enabled).each(['pg', 'neon'] as const)('faults: database unreachable (%s)', (driver) => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let cleanup = async () => {};
  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(POSTGRES_ADMIN_URL).port || 5432));
    cleanup = await useDatabase(driver, { port: proxy.port(), env: { DB_CONNECT_TIMEOUT_MS: '1000', DB_QUERY_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await cleanup();
    await proxy.close().catch(() => {});
  });

  it('answers 503 problem+json with Retry-After within 2 s on every endpoint, then recovers', async () => {
    const account = newAccount();
    const signUp = await register(jsonRequest('/api/register', account));
    expect(signUp.status).toBe(201);
    const { access_token, user } = await signUp.json();
    // Codes handed out before the outage must survive it.
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const otp = await latestCode(getConfig().outboxDir, account.email);
    const exchangeCode = await issueExchangeCode({ id: user.id, tokenVersion: 0 }); // a new account
    const patch = () =>
      patchMe(new Request('http://localhost/api/me', { method: 'PATCH', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ full_name: 'Ada' }) }));
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await proxy.cut();
    const other = newAccount();
    try {
      for (const call of [
        () => register(jsonRequest('/api/register', other)),
        () => login(jsonRequest('/api/login', { username: account.username, password: account.password })),
        () => me(bearerRequest('/api/me', access_token)),
        () => patch(),
        () => forgot(jsonRequest('/api/forgot-password', { email: account.email })),
        () => reset(jsonRequest('/api/reset-password', { email: account.email, otp, new_password: 'a brand new password' })),
      ]) {
        const started = performance.now();
        const response = await call();
        expect(performance.now() - started).toBeLessThan(2000);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        const problem = await problemOf(response);
        expect(problem.detail).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      }
      // The Google code exchange needs no database (the code carries the grant): it still works.
      expect((await exchange(jsonRequest('/api/google/exchange', { code: exchangeCode }))).status).toBe(200);
      // The log names the outage, never a query or its parameters (emails, password hashes).
      const logged = log.mock.calls.flat().map(String).join('\n');
      expect(logged).toMatch(/\[[0-9a-f-]{36}\] database unavailable: /);
      expect(logged).not.toMatch(/Failed query|params:|\$2[aby]\$|select |insert /i);
      expect(logged).not.toContain(account.email);
      expect(logged).not.toContain(other.email);
    } finally {
      log.mockRestore();
      await proxy.heal();
    }
    // Healed: the same requests succeed, and the sign-up attempted during the outage was not half-made.
    expect((await register(jsonRequest('/api/register', other))).status).toBe(201);
    expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
    expect((await patch()).status).toBe(200);
    // The mailed code still works: no failed attempt replaced or used it.
    expect((await reset(jsonRequest('/api/reset-password', { email: account.email, otp, new_password: 'a brand new password' }))).status).toBe(200);
    await settleBackground();
  });

  it('answers 503 within DB_QUERY_TIMEOUT_MS when a warm connection goes silent, then recovers', async () => {
    const signUp = await register(jsonRequest('/api/register', newAccount()));
    expect(signUp.status).toBe(201); // the pool now holds a warm connection
    const { access_token } = await signUp.json();
    const pool = driver === 'pg' ? ((await getDb()) as unknown as { $client: pg.Pool }).$client : undefined;
    const pooled = pool?.totalCount;
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    proxy.stall(); // no RST, no FIN: the connection stays open and nothing comes back
    try {
      const started = performance.now();
      // Without a deadline the request would hang until the platform kills the function (a 504).
      const response = await Promise.race([me(bearerRequest('/api/me', access_token)), new Promise<undefined>((r) => setTimeout(r, 5_000))]);
      const elapsed = performance.now() - started;
      expect(response?.status).toBe(503);
      expect(response?.headers.get('retry-after')).toBe('5');
      expect(elapsed).toBeLessThan(2_500); // DB_QUERY_TIMEOUT_MS is 1500
      expect(log.mock.calls.flat().map(String).join('\n')).toMatch(/database unavailable: /);
      // node-postgres: the connection that went silent is dropped, not pooled again with its query still out.
      if (pool) expect(pool.totalCount).toBe(pooled! - 1);
    } finally {
      log.mockRestore();
      await proxy.heal();
    }
    // The silent connection was not given back to the pool: the next request gets a working one.
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });

  it("gives a query late in an invocation only what is left of the function's maxDuration, not DB_QUERY_TIMEOUT_MS", async () => {
    const signUp = await register(jsonRequest('/api/register', newAccount()));
    expect(signUp.status).toBe(201);
    const { access_token } = await signUp.json();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    proxy.stall();
    try {
      // Started 8.5 s ago: 500 ms of the 10 s are left to spend, less than DB_QUERY_TIMEOUT_MS (1500 here).
      const started = performance.now();
      const response = await answerFirst(() => me(bearerRequest('/api/me', access_token)), started - 8_500);
      const elapsed = performance.now() - started;
      expect(response.status).toBe(503);
      expect(log.mock.calls.flat().map(String).join('\n')).toMatch(/database unavailable: /);
      if (driver === 'pg') {
        // The deadline the query went with (Neon's HTTP driver's fetch signal cannot be read back).
        const timeouts = sent.mock.calls.map(([statement]) => (statement as { query_timeout?: number }).query_timeout);
        expect(timeouts).toHaveLength(1);
        expect(timeouts[0]).toBeGreaterThan(0);
        expect(timeouts[0]).toBeLessThanOrEqual(500);
      }
      expect(elapsed).toBeLessThan(1_200); // not the 1500 ms of DB_QUERY_TIMEOUT_MS
    } finally {
      sent.mockRestore();
      log.mockRestore();
      await proxy.heal();
    }
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });

  it('sends no query at all once under MIN_STEP_MS of the invocation are left: 503, the database never asked', async () => {
    const signUp = await register(jsonRequest('/api/register', newAccount()));
    const { access_token } = await signUp.json();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fetched = vi.spyOn(globalThis, 'fetch');
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      // Started 9.5 s ago: of the 10 s, less the 1 s reserve, nothing is left. The database is up.
      const response = await answerFirst(() => me(bearerRequest('/api/me', access_token)), performance.now() - 9_500);
      expect(response.status).toBe(503);
      expect(log.mock.calls.flat().map(String).join('\n')).toMatch(/database unavailable: .*not started \(DB_QUERY_TIMEOUT_MS\)/);
      expect(sent).not.toHaveBeenCalled(); // node-postgres
      expect(fetched).not.toHaveBeenCalled(); // Neon's HTTP endpoint
    } finally {
      sent.mockRestore();
      fetched.mockRestore();
      log.mockRestore();
    }
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });

  // node-postgres only: Neon's HTTP driver has no pool to wait for.
  if (driver === 'pg') it("counts a wait for a free connection in the query's time: late in an invocation it gives up at the deadline, not when a connection comes, and the pool loses none", async () => {
    const signUp = await register(jsonRequest('/api/register', newAccount()));
    const { access_token } = await signUp.json();
    const db = await getDb();
    const pool = (db as unknown as { $client: pg.Pool }).$client;
    // Every one of the pool's 5 connections busy for 0.8 s (outside a request: no budget), less than the pool waits for one (DB_CONNECT_TIMEOUT_MS, 1000 here), so the abandoned wait does get one.
    let freed = false;
    const busy = Promise.all(Array.from({ length: 5 }, () => db.execute(sql`select pg_sleep(0.8)`))).then(() => (freed = true));
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await new Promise((r) => setTimeout(r, 50)); // the sleeps have their connections
      // Started 8.5 s ago: 500 ms left, all of them spent waiting for a connection. Had the query's
      // deadline counted from when it got one, it would have run (a quick query) at ~10 s.
      const response = await answerFirst(() => me(bearerRequest('/api/me', access_token)), performance.now() - 8_500);
      expect(response.status).toBe(503);
      expect(freed).toBe(false); // answered while the connections were still busy
      // Not sent: the wait used up the query's time.
      expect(log.mock.calls.flat().map(String).join('\n')).toMatch(/database unavailable: .*not started \(DB_QUERY_TIMEOUT_MS\)/);
    } finally {
      log.mockRestore();
      await busy;
    }
    // The connection the abandoned wait was given later went back to the pool.
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });

  it('keeps the mailed code when the new password cannot be written for want of a connection', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }))).status).toBe(202);
    await settleBackground();
    const otp = await latestCode(getConfig().outboxDir, account.email);
    const body = { email: account.email, otp, new_password: 'a brand new password' };
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    let first: Response;
    try {
      // The lookup went through; the code is taken next, then the write finds the database gone.
      // The pause lets the pools drop their dead idle connections: the write then cannot connect
      // at all (it certainly never ran), the case in which the code comes back.
      hashHook.afterNext = async () => {
        await proxy.cut();
        await new Promise((r) => setTimeout(r, 100));
      };
      first = await reset(jsonRequest('/api/reset-password', body));
    } finally {
      hashHook.afterNext = undefined;
      log.mockRestore();
      await proxy.heal();
    }
    expect(first.status).toBe(503);
    // Nothing was written, and the same mailed code resets the password once the database is back.
    expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
    expect((await reset(jsonRequest('/api/reset-password', body))).status).toBe(200);
    expect((await login(jsonRequest('/api/login', { username: account.username, password: body.new_password }))).status).toBe(200);
    expect((await reset(jsonRequest('/api/reset-password', body))).status).toBe(400); // and it is used up now
    await settleBackground();
  });

  it("gives the address's forgot-password slot back when the database fails (no code was issued)", async () => {
    const email = newAccount().email;
    const ask = async () => (await forgot(jsonRequest('/api/forgot-password', { email }))).status;
    process.env.RATE_LIMIT_FORGOT_EMAIL = '1/1h';
    resetConfig();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await proxy.cut();
      const duringOutage = [];
      try {
        for (let i = 0; i < 2; i++) {
          duringOutage.push(await ask());
          await settleBackground(); // the slot is given back after the response
        }
      } finally {
        await proxy.heal();
      }
      expect(duringOutage).toEqual([503, 503]);
      expect([await ask(), await ask()]).toEqual([202, 429]);
    } finally {
      await settleBackground();
      log.mockRestore();
      process.env.RATE_LIMIT_FORGOT_EMAIL = '10000/1m';
      resetConfig();
    }
  });
});
