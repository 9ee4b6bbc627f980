import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as login } from '../api/login.js';
import { GET as me } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { resetConfig } from '../lib/config.js';
import { closeDb } from '../lib/db/client.js';
import { migrateDatabase } from '../scripts/migrate.js';
import { bearerRequest, jsonRequest, newAccount, problemOf } from './support/http.js';
import { createTestDatabase } from './support/postgres.js';
import { postgresAvailable, POSTGRES_ADMIN_URL } from './support/services.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const enabled = await postgresAvailable();

/** The database goes away mid-life and comes back: clear 503s meanwhile, nothing half-written. */
describe.skipIf(!enabled)('faults: database unreachable', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    proxy = await startTcpProxy(Number(new URL(POSTGRES_ADMIN_URL).port || 5432));
    const url = new URL(database.url);
    url.port = String(proxy.port());
    url.hostname = '127.0.0.1';
    Object.assign(process.env, { DATABASE_DRIVER: 'pg', DATABASE_URL: url.toString(), DB_CONNECT_TIMEOUT_MS: '1000' });
    resetConfig();
    await closeDb();
    await migrateDatabase();
  });
  afterAll(async () => {
    await closeDb();
    await proxy.close().catch(() => {});
    await drop();
  });

  it('answers 503 problem+json with Retry-After within 2 s on every endpoint, then recovers', async () => {
    const account = newAccount();
    const signUp = await register(jsonRequest('/api/register', account));
    expect(signUp.status).toBe(201);
    const { access_token } = await signUp.json();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await proxy.cut();
    const other = newAccount();
    try {
      for (const call of [
        () => register(jsonRequest('/api/register', other)),
        () => login(jsonRequest('/api/login', { username: account.username, password: account.password })),
        () => me(bearerRequest('/api/me', access_token)),
      ]) {
        const started = performance.now();
        const response = await call();
        expect(performance.now() - started).toBeLessThan(2000);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        const problem = await problemOf(response);
        expect(problem.detail).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      }
    } finally {
      log.mockRestore();
      await proxy.heal();
    }
    // Healed: the same requests succeed, and the sign-up attempted during the outage was not half-made.
    expect((await register(jsonRequest('/api/register', other))).status).toBe(201);
    expect((await login(jsonRequest('/api/login', { username: account.username, password: account.password }))).status).toBe(200);
    expect((await me(bearerRequest('/api/me', access_token))).status).toBe(200);
  });
});
