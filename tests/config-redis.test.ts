import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../lib/config.js';
import { getStore, resetStore } from '../lib/store.js';
import { resetConfig } from '../lib/config.js';

const base = { DATA_DIR: process.env.DATA_DIR, SECRET_KEY: 'k'.repeat(40), SESSION_SECRET_KEY: 's'.repeat(40) };

describe('Redis, rate limit and mail configuration', () => {
  it('accepts the Upstash, Vercel KV and seed names, and gives a bare host https://', () => {
    expect(loadConfig({ ...base, UPSTASH_REDIS_REST_URL: 'https://a.upstash.io/', UPSTASH_REDIS_REST_TOKEN: 't' }).redis).toEqual({ url: 'https://a.upstash.io', token: 't' });
    expect(loadConfig({ ...base, KV_REST_API_URL: 'https://kv.upstash.io', KV_REST_API_TOKEN: 'kv' }).redis).toEqual({ url: 'https://kv.upstash.io', token: 'kv' });
    expect(loadConfig({ ...base, UPSTASH_REDIS_URL: 'seed.upstash.io', UPSTASH_REDIS_TOKEN: 'seed' }).redis).toEqual({ url: 'https://seed.upstash.io', token: 'seed' });
    expect(() => loadConfig({ ...base, UPSTASH_REDIS_REST_URL: 'https://a.upstash.io' })).toThrow(ConfigError);
  });

  it('takes a URL and its token from the same pair of names, never one from each', () => {
    // Before, the KV token filled in for a missing Upstash token: sent to another database's URL.
    expect(() => loadConfig({ ...base, UPSTASH_REDIS_REST_URL: 'https://a.upstash.io', KV_REST_API_TOKEN: 'kv' })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    expect(() => loadConfig({ ...base, KV_REST_API_URL: 'https://kv.upstash.io', UPSTASH_REDIS_TOKEN: 'seed' })).toThrow(ConfigError);
    expect(loadConfig({ ...base, KV_REST_API_URL: 'https://kv.upstash.io', KV_REST_API_TOKEN: 'kv', UPSTASH_REDIS_URL: 'seed.upstash.io', UPSTASH_REDIS_TOKEN: 'seed' }).redis).toEqual({ url: 'https://kv.upstash.io', token: 'kv' });
  });

  it('parses count/duration limits and refuses malformed ones', () => {
    const config = loadConfig({ ...base, RATE_LIMIT_FORGOT_EMAIL: '3/1h', RATE_LIMIT_LOGIN_IP: '100/30s' });
    expect(config.rateLimits.forgotEmail).toEqual({ limit: 3, windowMs: 3_600_000 });
    expect(config.rateLimits.loginIp).toEqual({ limit: 100, windowMs: 30_000 });
    expect(loadConfig({ DATA_DIR: base.DATA_DIR }).rateLimits.loginAccount).toEqual({ limit: 5, windowMs: 900_000 });
    expect(() => loadConfig({ ...base, RATE_LIMIT_RESET_EMAIL: 'ten per hour' })).toThrow(/RATE_LIMIT_RESET_EMAIL/);
    expect(() => loadConfig({ ...base, RATE_LIMIT_FAIL_OPEN: 'perhaps' })).toThrow(/RATE_LIMIT_FAIL_OPEN/);
  });

  it("reads the seed's True/False booleans in any letter case", () => {
    const config = loadConfig({ ...base, MAIL_SERVER: 'smtp.example.com', MAIL_STARTTLS: 'False', MAIL_SSL_TLS: 'True', RATE_LIMIT_FAIL_OPEN: 'TRUE' });
    expect(config.mail).toMatchObject({ startTls: false, sslTls: true });
    expect(config.rateLimitFailOpen).toBe(true);
  });

  it('refuses a Redis address that is not the REST URL, naming it, instead of failing every request with 503', () => {
    for (const url of ['rediss://default:tok@eu1-x.upstash.io:6379', 'ftp://x.upstash.io', 'https://']) {
      expect(() => loadConfig({ ...base, UPSTASH_REDIS_URL: url, UPSTASH_REDIS_TOKEN: 't' })).toThrow(/UPSTASH_REDIS_REST_URL .*REST URL/);
    }
    expect(loadConfig({ ...base, UPSTASH_REDIS_REST_URL: 'x.upstash.io:443', UPSTASH_REDIS_REST_TOKEN: 't' }).redis?.url).toBe('https://x.upstash.io:443');
  });

  it('refuses the in-process store in production instead of falling back to it', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db', FRONTEND_CALLBACK_URL: 'https://app.example.com/cb' });
    resetConfig();
    resetStore();
    try {
      expect(() => getStore()).toThrow(/UPSTASH_REDIS_REST_URL/);
    } finally {
      process.env = saved;
      resetConfig();
      resetStore();
    }
  });
});
