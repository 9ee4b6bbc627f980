import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';

/**
 * The document on every 429: `Retry-After`/`RateLimit-Reset` are "an upper bound, never too short":
 * after them a request passes (unless others count against the same limit meanwhile). A login
 * counts against two limits of different windows (per IP, 1 minute; per account, 15 minutes by
 * default). When both refuse, the wait announced must be the longer one, or a client that waits
 * as told is refused again.
 */
describe('a request refused by both its limits', () => {
  let cleanup = async () => {};
  /** Sets the limits, and the clock early in a 15-minute window (and so in a 1-minute one), so both windows have long to run. */
  const limits = (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
    resetConfig();
    resetStore();
    const quarter = 15 * 60_000;
    vi.useFakeTimers({ toFake: ['Date'], now: (Math.floor(Date.now() / quarter) + 1) * quarter + 1_000 });
  };
  /** What a request answered, after its work after the response. */
  const outcome = async (response: Response) => {
    await settleBackground();
    return { status: response.status, retryAfter: Number(response.headers.get('retry-after')), detail: (await response.json()).detail as string };
  };
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    resetConfig();
    resetStore();
  });
  afterAll(() => cleanup());

  it('announces a wait after which the next attempt is let through: a login refused per IP and per account', async () => {
    const account = newAccount();
    expect((await register(jsonRequest('/api/register', account))).status).toBe(201);
    limits({ RATE_LIMIT_LOGIN_IP: '3/1m', RATE_LIMIT_LOGIN_ACCOUNT: '2/15m' });
    const attempt = async () => outcome(await login(jsonRequest('/api/login', { username: account.username, password: 'not the password' })));
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const third = await attempt(); // the account's two failures are spent; the IP's third attempt counted
    expect(third.status).toBe(429);
    const fourth = await attempt(); // now the IP limit refuses too
    expect(fourth.status).toBe(429);

    // Wait as told (and a second more), as a client honouring Retry-After does.
    vi.setSystemTime(Date.now() + (fourth.retryAfter + 1) * 1000);
    const after = await attempt();
    expect(after.status, `told to wait ${fourth.retryAfter} s ("${fourth.detail}"), then: "${after.detail}"`).toBe(401);
  });

  it('as a forgot-password request refused per IP and per email, with windows configured apart', async () => {
    const { email } = newAccount();
    limits({ RATE_LIMIT_FORGOT_IP: '2/1m', RATE_LIMIT_FORGOT_EMAIL: '1/15m' });
    const ask = async () => outcome(await forgot(jsonRequest('/api/forgot-password', { email })));
    expect((await ask()).status).toBe(202);
    expect((await ask()).status).toBe(429); // the address's one code is spent; the IP's second request counted
    const third = await ask(); // the IP limit refuses too
    expect(third.status).toBe(429);
    vi.setSystemTime(Date.now() + (third.retryAfter + 1) * 1000);
    const after = await ask();
    expect(after.status, `told to wait ${third.retryAfter} s ("${third.detail}"), then: "${after.detail}"`).toBe(202);
  });
});
