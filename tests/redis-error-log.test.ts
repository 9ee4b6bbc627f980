import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as forgot } from '../api/forgot-password.js';
import { POST as login } from '../api/login.js';
import { POST as register } from '../api/register.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { jsonRequest, newAccount } from './support/http.js';
import { redisAvailable } from './support/services.js';
import { startUpstashRest } from './support/upstash-rest.js';

// Redis answering with an error (a revoked or mistyped token, Upstash's request quota spent):
// @upstash/redis puts the whole command, keys and arguments, into its error's message
// ("…, command was: [...]"). The per-IP limits keep the client's IP in their key, so the 503's
// log line must not carry that message as it is.
const withRedis = await redisAvailable();
const IP = '203.0.113.77';

describe.skipIf(!withRedis)('the log when Redis answers with an error', () => {
  let cleanup: () => Promise<void> = async () => {};
  let rest: Awaited<ReturnType<typeof startUpstashRest>>;
  beforeAll(async () => {
    cleanup = await useDatabase('pglite');
    rest = await startUpstashRest();
    Object.assign(process.env, {
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: 'a-token-upstash-no-longer-accepts', // 401 {"error":"Unauthorized"}
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    });
    resetConfig();
    resetStore();
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await settleBackground();
    await rest.close();
    for (const name of ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'REDIS_KEY_PREFIX']) delete process.env[name];
    resetConfig();
    resetStore();
    await cleanup();
  });

  const requests: [string, () => Promise<Response>][] = [
    ['login', () => login(jsonRequest('/api/login', { username: 'someone', password: 'whatever it is' }, { headers: { 'x-real-ip': IP } }))],
    ['register', () => register(jsonRequest('/api/register', newAccount(), { headers: { 'x-real-ip': IP } }))],
    ['forgot-password', () => forgot(jsonRequest('/api/forgot-password', { email: 'someone@example.com' }, { headers: { 'x-real-ip': IP } }))],
  ];
  it.each(requests)('%s: 503, and the log names the failure without the client IP', async (_, send) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await send()).status).toBe(503);
    await settleBackground();
    const log = errors.mock.calls.flat().map(String).join('\n');
    expect(log).toMatch(/store unavailable: .*Unauthorized/);
    expect(log).not.toContain(IP);
  });
});
