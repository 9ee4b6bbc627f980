import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { issueExchangeCode, redeemExchangeCode, restoreExchangeCode } from '../lib/exchange-codes.js';
import { issueOtp, restoreOtp, takeOtp } from '../lib/otp.js';
import { getStore, resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { redisAvailable } from './support/services.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { startUpstashRest } from './support/upstash-rest.js';
import { freshWindow } from './support/windows.js';

const enabled = await redisAvailable();
const TIMEOUT_MS = 1_000;

// One Redis blip, over before the response: the refund that follows it, within REDIS_TIMEOUT_MS of
// the failure, must still be tried (lib/redis-store.ts skips calls in that time otherwise).
describe.skipIf(!enabled)('a refund right after a Redis blip', () => {
  let cleanup = async () => {};
  let rest: Awaited<ReturnType<typeof startUpstashRest>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    rest = await startUpstashRest();
    proxy = await startTcpProxy(Number(new URL(rest.url).port));
    Object.assign(process.env, {
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${proxy.port()}`,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_FORGOT_EMAIL: '1/1h',
    });
    resetConfig();
    resetStore();
  });
  afterAll(async () => {
    await settleBackground();
    delete process.env.REDIS_TIMEOUT_MS;
    delete process.env.RATE_LIMIT_FORGOT_EMAIL;
    resetConfig();
    resetStore();
    await proxy.close().catch(() => {});
    await rest.close();
    await cleanup();
  });

  it("gives forgot-password's slot back when the code could not be stored", async () => {
    await freshWindow(3_600_000, 10_000);
    const email = newAccount().email;
    const ask = async () => (await forgot(jsonRequest('/api/forgot-password', { email }))).status;
    // The limits are counted; then Redis drops out for the code's write only, and is back at once.
    const store = getStore();
    const putCode = store.putCode.bind(store);
    const blip = vi.spyOn(store, 'putCode').mockImplementationOnce(async (...args) => {
      await proxy.cut();
      try {
        return await putCode(...args);
      } finally {
        await proxy.heal();
      }
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const during = await ask();
    await settleBackground(); // the refund runs after the response
    const logged = errors.mock.calls.flat().join('\n');
    errors.mockRestore();
    blip.mockRestore();
    expect(during).toBe(503);
    expect(logged).not.toMatch(/refund/);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 100)); // past the "unreachable" shortcut
    expect(await ask()).toBe(202); // the address's one code this hour is still there to ask for
  });

  /** One failed Redis call, over at once: the store then refuses calls untried for REDIS_TIMEOUT_MS. */
  const blip = async () => {
    await proxy.cut();
    await expect(getStore().put(`blip-${randomBytes(4).toString('hex')}`, '1', 60)).rejects.toThrow();
    await proxy.heal();
  };

  // A code taken for work that then certainly did not happen (a reset whose write never ran, an
  // exchange its limit refused) is put back: refused untried, the user's retry with it would fail.
  it('puts a taken reset code back right after a blip', async () => {
    const email = newAccount().email;
    const code = await issueOtp(email);
    expect(await takeOtp(email, code)).toBe(true);
    await blip();
    await restoreOtp(email, code);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 100));
    expect(await takeOtp(email, code)).toBe(true);
  });

  it('puts a redeemed exchange code back right after a blip', async () => {
    const code = await issueExchangeCode({ id: '00000000-0000-4000-8000-00000000000b', tokenVersion: 0 });
    const grant = await redeemExchangeCode(code);
    expect(grant).not.toBeNull();
    await blip();
    await restoreExchangeCode(code, grant!);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 100));
    expect(await redeemExchangeCode(code)).toEqual(grant);
  });
});
