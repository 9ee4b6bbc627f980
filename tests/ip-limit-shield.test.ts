import { randomBytes } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest } from './support/http.js';
import { redisAvailable, REDIS_URL } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';
import { freshWindow } from './support/windows.js';

// The real lookups, counted.
const lookups = vi.hoisted(() => ({ count: 0 }));
vi.mock('../lib/users.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../lib/users.js')>();
  return {
    ...actual,
    findUserByLogin: (login: string) => (lookups.count++, actual.findUserByLogin(login)),
    findUserByEmail: (email: string) => (lookups.count++, actual.findUserByEmail(email)),
  };
});

const enabled = await redisAvailable();
const prefix = `test-${randomBytes(6).toString('hex')}:`;
const LET_THROUGH = 3;
const SENT = 20;

// A client past its per-IP limit, trying made-up names: the limit must shield the database, and
// the per-name buckets its refused requests reserved (then gave back) must not stay on Redis.
describe.skipIf(!enabled)('requests the per-IP limit refuses', () => {
  let cleanup = async () => {};
  let closeRest = async () => {};
  const redis = new IORedis(REDIS_URL, { lazyConnect: true });
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    const rest = await startUpstashRest();
    closeRest = rest.close;
    await redis.connect();
    Object.assign(process.env, {
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_LOGIN_IP: `${LET_THROUGH}/1m`,
      RATE_LIMIT_FORGOT_IP: `${LET_THROUGH}/1m`,
    });
    resetConfig();
    resetStore();
  });
  beforeEach(() => {
    lookups.count = 0;
  });
  afterAll(async () => {
    await settleBackground();
    resetStore();
    await closeRest();
    await redis.quit();
    await cleanup();
  });

  const buckets = async (limit: string) => (await redis.keys(`${prefix}rl:${limit}:*`)).length;

  it('login: no user lookup and no per-account bucket left for them', async () => {
    await freshWindow(60_000, 10_000);
    const from = { headers: { 'x-real-ip': '203.0.113.77' } };
    const statuses = [];
    for (let i = 0; i < SENT; i++) {
      statuses.push((await login(jsonRequest('/api/login', { username: `probe-${i}`, password: 'wrong password' }, from))).status);
    }
    await settleBackground(); // the refused requests' refunds
    expect(statuses.filter((s) => s === 429)).toHaveLength(SENT - LET_THROUGH);
    expect({ lookups: lookups.count, buckets: await buckets('loginAccount') }).toEqual({ lookups: LET_THROUGH, buckets: LET_THROUGH });
  });

  it('forgot-password: no user lookup and no per-email bucket left for them', async () => {
    await freshWindow(60_000, 10_000);
    const from = { headers: { 'x-real-ip': '203.0.113.78' } };
    const statuses = [];
    for (let i = 0; i < SENT; i++) {
      statuses.push((await forgot(jsonRequest('/api/forgot-password', { email: `probe${i}@example.com` }, from))).status);
    }
    await settleBackground();
    expect(statuses.filter((s) => s === 429)).toHaveLength(SENT - LET_THROUGH);
    expect({ lookups: lookups.count, buckets: await buckets('forgotEmail') }).toEqual({ lookups: LET_THROUGH, buckets: LET_THROUGH });
  });
});
