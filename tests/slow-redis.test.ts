import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { redisAvailable } from './support/services.js';
import { startSlowLink } from './support/slow-link.js';
import { startUpstashRest } from './support/upstash-rest.js';
import { freshWindow } from './support/windows.js';

const enabled = await redisAvailable();
const TIMEOUT_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Redis runs every command, but its answers come after REDIS_TIMEOUT_MS: each request gets a 503,
// and the slot its limit took must not stay counted.
describe.skipIf(!enabled)('while Redis answers too late', () => {
  let cleanup = async () => {};
  let closeAll = async () => {};
  let link: Awaited<ReturnType<typeof startSlowLink>>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    const rest = await startUpstashRest();
    link = await startSlowLink(rest.url);
    closeAll = async () => {
      link.close();
      await rest.close();
    };
    Object.assign(process.env, {
      UPSTASH_REDIS_REST_URL: link.url,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_LOGIN_ACCOUNT: '3/15m',
      RATE_LIMIT_FORGOT_EMAIL: '2/1h',
    });
    resetConfig();
    resetStore();
  });
  afterAll(async () => {
    await settleBackground();
    for (const name of ['REDIS_TIMEOUT_MS', 'RATE_LIMIT_LOGIN_ACCOUNT', 'RATE_LIMIT_FORGOT_EMAIL']) delete process.env[name];
    resetConfig();
    resetStore();
    await closeAll();
  });

  /** `times` requests while every answer is late, each after the store's "unreachable" shortcut (and its refund's) has passed. */
  async function whileLate(times: number, send: () => Promise<Response>): Promise<number[]> {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const statuses: number[] = [];
    link.state.delay = TIMEOUT_MS * 2;
    try {
      for (let i = 0; i < times; i++) {
        statuses.push((await send()).status);
        await sleep(TIMEOUT_MS * 3);
      }
    } finally {
      link.state.delay = 0;
      await settleBackground();
      errors.mockRestore();
    }
    return statuses;
  }

  it('a login that got 503 costs none of the account budget', async () => {
    await freshWindow(15 * 60_000, 15_000);
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    const signIn = () => login(jsonRequest('/api/login', { username: account.username, password: account.password }));
    expect((await signIn()).status).toBe(200); // the limiter's scripts are loaded: each later call is one EVALSHA
    await settleBackground();
    expect(await whileLate(3, signIn)).toEqual([503, 503, 503]);
    expect((await signIn()).status).toBe(200);
  });

  it("a reset request that got 503 costs none of the address's budget", async () => {
    await freshWindow(60 * 60_000, 15_000);
    const email = newAccount().email;
    const ask = () => forgot(jsonRequest('/api/forgot-password', { email }));
    expect((await forgot(jsonRequest('/api/forgot-password', { email: newAccount().email }))).status).toBe(202); // scripts loaded
    expect(await whileLate(2, ask)).toEqual([503, 503]);
    expect((await ask()).status).toBe(202);
  });
});
