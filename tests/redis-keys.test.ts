import { createHmac, randomBytes } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as exchange } from '../api/google/exchange.js';
import { POST as login } from '../api/login.js';
import { PATCH as patchMe } from '../api/me.js';
import { POST as register } from '../api/register.js';
import { POST as reset } from '../api/reset-password.js';
import { settleBackground } from '../lib/background.js';
import { getConfig, resetConfig } from '../lib/config.js';
import { takeSlot } from '../lib/rate-limit.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { redisAvailable, REDIS_URL } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';

const enabled = await redisAvailable();
const prefix = `test-${randomBytes(6).toString('hex')}:`;
const ip = '203.0.113.9';
const from = { headers: { 'x-real-ip': ip } };

// README: Redis never holds an email address or a login name; the per-IP limits keep the IP.
describe.skipIf(!enabled)('the keys on Redis', () => {
  let cleanup = async () => {};
  let closeRest = async () => {};
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    const rest = await startUpstashRest();
    closeRest = rest.close;
    Object.assign(process.env, { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token, REDIS_KEY_PREFIX: prefix });
    resetConfig();
    resetStore();
  });
  afterAll(async () => {
    await settleBackground();
    resetStore();
    await closeRest();
    await cleanup();
  });

  it('name no address or login name after a reset request, a wrong reset, failed logins, a notice and a profile change', async () => {
    const account = newAccount();
    const signedUp = await register(jsonRequest('/api/register', account, from));
    expect(signedUp.status).toBe(201);
    const { access_token: token } = await signedUp.json();
    const rename = jsonRequest('/api/me', { username: newAccount().username }, { method: 'PATCH', headers: { ...from.headers, authorization: `Bearer ${token}` } });
    expect((await patchMe(rename)).status).toBe(200);
    expect((await forgot(jsonRequest('/api/forgot-password', { email: account.email }, from))).status).toBe(202);
    const wrongReset = { email: account.email, otp: '000000', new_password: 'whatever password' };
    expect((await reset(jsonRequest('/api/reset-password', wrongReset, from))).status).toBe(400);
    for (const username of [account.username, account.email]) {
      expect((await login(jsonRequest('/api/login', { username, password: 'wrong password' }, from))).status).toBe(401);
    }
    expect(await takeSlot('emailNotice', account.email)).toBe(true);
    expect((await exchange(jsonRequest('/api/google/exchange', { code: 'x'.repeat(43) }, from))).status).toBe(400);
    await settleBackground(); // the login failures' cross-counts under the other name

    const redis = new IORedis(REDIS_URL);
    const keys = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length));
    await redis.quit();
    // Not vacuous: every per-address limit left its bucket, and the IP limits theirs, in the clear.
    for (const name of ['forgotEmail', 'resetEmail', 'resetFailures', 'loginAccount', 'emailNotice', 'profileUser']) {
      expect(keys.filter((key) => key.startsWith(`rl:${name}:`)).length, name).toBeGreaterThan(0);
    }
    for (const name of ['loginIp', 'registerIp', 'forgotIp', 'resetIp', 'exchangeIp', 'profileIp']) {
      expect(keys.some((key) => key.startsWith(`rl:${name}:${ip}:`)), name).toBe(true);
    }
    const named = keys.filter((key) => [account.email, account.username].some((secret) => key.toLowerCase().includes(secret.toLowerCase())));
    expect(named).toEqual([]);
    // Under a digest keyed by SECRET_KEY, so an address cannot be found by hashing guesses either.
    const digest = createHmac('sha256', getConfig().secretKey).update(`rate-limit\0forgotEmail\0${account.email}`).digest().subarray(0, 16).toString('base64url');
    expect(keys.filter((key) => key.startsWith(`rl:forgotEmail:${digest}:`)).length).toBeGreaterThan(0);
  });
});
