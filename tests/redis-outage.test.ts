import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { resetConfig } from '../lib/config.js';
import { getDb } from '../lib/db/client.js';
import { users } from '../lib/db/schema.js';
import { createRedisStore } from '../lib/redis-store.js';
import { resetStore, StoreUnavailableError } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount, problemOf } from './support/http.js';
import { redisAvailable } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';

/** A server that accepts connections and never answers: a hung Upstash. */
async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(() => {});
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

async function snapshot() {
  const db = await getDb();
  return db.select().from(users).orderBy(users.id);
}

const withRedis = await redisAvailable();

describe.skipIf(!withRedis)('when Redis is down', () => {
  let cleanup: () => Promise<void> = async () => {};
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let account = newAccount();
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    hole = await blackHole();
    // Sign up while Redis works, then stop the REST server: a refused connection from now on.
    const rest = await startUpstashRest();
    Object.assign(process.env, {
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    });
    resetConfig();
    resetStore();
    account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    await rest.close();
  });
  afterEach(() => {
    delete process.env.RATE_LIMIT_FAIL_OPEN;
    resetConfig();
  });
  afterAll(async () => {
    resetStore();
    await hole.close();
    await cleanup();
  });

  const calls = () => ({
    forgot: () => forgot(jsonRequest('/api/forgot-password', { email: account.email })),
    reset: () => reset(jsonRequest('/api/reset-password', { email: account.email, otp: '123456', new_password: 'a brand new password' })),
    login: () => login(jsonRequest('/api/login', { username: account.username, password: account.password })),
  });

  for (const outage of ['refused', 'hung'] as const) {
    it.each(['forgot', 'reset', 'login'] as const)(`answers %s with 503 problem+json and Retry-After within 2 s (${outage}), writing nothing`, async (name) => {
      if (outage === 'hung') {
        process.env.UPSTASH_REDIS_REST_URL = hole.url;
        resetConfig();
        resetStore();
      }
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const before = await snapshot();
      const started = performance.now();
      const response = await calls()[name]();
      const elapsed = performance.now() - started;
      const logged = errors.mock.calls.flat().join(' ');
      errors.mockRestore();
      expect(response.status).toBe(503);
      expect(elapsed).toBeLessThan(2_000);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const problem = await problemOf(response);
      expect(problem.type).toBe('urn:problem:service_unavailable');
      expect(JSON.stringify(problem)).not.toMatch(/127\.0\.0\.1|fetch|redis/i);
      // Named as what it is: not the database (a Redis timeout also carries a TimeoutError).
      expect(problem.detail).toMatch(/backing service/);
      expect(logged).toMatch(/store unavailable/);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('with RATE_LIMIT_FAIL_OPEN=true lets logins through but still refuses codes (they need Redis)', async () => {
    process.env.RATE_LIMIT_FAIL_OPEN = 'true';
    resetConfig();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await calls().login()).status).toBe(200);
    expect((await calls().forgot()).status).toBe(503);
    expect((await calls().reset()).status).toBe(503);
    expect(errors.mock.calls.flat().join('\n')).toContain('RATE_LIMIT_FAIL_OPEN');
    errors.mockRestore();
  });

  it('with RATE_LIMIT_FAIL_OPEN=true and Redis hanging, still answers within about one deadline, not one per call', async () => {
    Object.assign(process.env, { RATE_LIMIT_FAIL_OPEN: 'true', REDIS_TIMEOUT_MS: '1500', UPSTASH_REDIS_REST_URL: hole.url });
    resetConfig();
    resetStore();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const started = performance.now();
      const response = await calls().forgot(); // the limits time out and are skipped; the code cannot be stored
      const elapsed = performance.now() - started;
      expect(response.status).toBe(503);
      // One deadline (the limits', skipped), not two in a row (then the code's): a ratio, not a time.
      expect(elapsed / 1500).toBeLessThan(1.5);
    } finally {
      errors.mockRestore();
      delete process.env.REDIS_TIMEOUT_MS;
    }
  });

  it('after an outage, tries Redis again once the deadline has passed', async () => {
    const store = createRedisStore({ url: hole.url, token: 't', prefix: 'x:', timeoutMs: 300 });
    await expect(store.put('k', 'v', 60)).rejects.toThrow(/failed/);
    await expect(store.put('k', 'v', 60)).rejects.toThrow(/not tried/);
    await new Promise((r) => setTimeout(r, 350));
    await expect(store.put('k', 'v', 60)).rejects.toThrow(/failed/); // tried again (and still hanging)
  });

  it('treats the rate limiter\'s own timeout (success: true, reason "timeout") as an outage', async () => {
    const store = createRedisStore({ url: hole.url, token: 't', prefix: 'x:', timeoutMs: 5_000, limiterTimeoutMs: 100 });
    const started = performance.now();
    await expect(store.hit('k', { limit: 5, windowMs: 60_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
