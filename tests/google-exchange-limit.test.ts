import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as exchange } from '../api/google/exchange.js';
import { settleBackground } from '../lib/background.js';
import { resetConfig } from '../lib/config.js';
import { issueExchangeCode, redeemExchangeCode, restoreExchangeCode } from '../lib/exchange-codes.js';
import { StoreUnavailableError } from '../lib/store-error.js';
import { getStore, resetStore } from '../lib/store.js';
import { useDatabase } from './support/database.js';
import { freshWindow } from './support/windows.js';
import { jsonRequest, problemOf } from './support/http.js';

describe('POST /api/google/exchange is rate limited per client IP', () => {
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    process.env.RATE_LIMIT_EXCHANGE_IP = '3/1m';
    resetConfig();
    resetStore();
    cleanup = await useDatabase('pglite');
  });
  afterAll(async () => {
    process.env.RATE_LIMIT_EXCHANGE_IP = '10000/1m';
    resetConfig();
    resetStore();
    await cleanup();
  });

  it('answers 400 for unknown codes up to the limit, then 429 with Retry-After and RateLimit-* headers', async () => {
    await freshWindow(60_000); // the limit is 3 a minute
    const from = (ip: string) => jsonRequest('/api/google/exchange', { code: 'x'.repeat(43) }, { headers: { 'x-real-ip': ip } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await exchange(from('203.0.113.9'))).status);
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    const limited = await exchange(from('203.0.113.9'));
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect((await problemOf(limited)).type).toBe('urn:problem:rate_limited');
    // Another address has its own window.
    expect((await exchange(from('203.0.113.10'))).status).toBe(400);
  });

  it('counts every address of one IPv6 /64 as one client (each subscriber can pick any of them)', async () => {
    await freshWindow(60_000); // the limit is 3 a minute
    const from = (ip: string) => jsonRequest('/api/google/exchange', { code: 'w'.repeat(43) }, { headers: { 'x-real-ip': ip } });
    const statuses = [];
    for (const host of ['1', '2', 'abcd:1234:9', '4']) statuses.push((await exchange(from(`2001:db8:7:7::${host}`))).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await exchange(from('2001:db8:7:8::1'))).status).toBe(400);
  });

  it('puts a live code back when the limit refuses, so it works once the address may try again', async () => {
    await freshWindow(60_000); // the limit is 3 a minute
    const ip = '203.0.113.11';
    for (let i = 0; i < 3; i++) await exchange(jsonRequest('/api/google/exchange', { code: 'y'.repeat(43) }, { headers: { 'x-real-ip': ip } }));
    const code = await issueExchangeCode({ id: '00000000-0000-0000-0000-000000000001', tokenVersion: 0 });
    const limited = await exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': ip } }));
    expect(limited.status).toBe(429);
    await settleBackground(); // it is put back after the answer
    // From an address with budget left (as after the wait), the same code still works, once.
    const other = (n: number) => exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': `198.51.100.${n}` } }));
    expect((await other(1)).status).toBe(200);
    expect((await other(2)).status).toBe(400);
  });

  it('does not put back a code tried with a verifier that does not answer its challenge: refused by the limit, it is still used up', async () => {
    await freshWindow(60_000); // the limit is 3 a minute
    const ip = '203.0.113.14';
    for (let i = 0; i < 3; i++) await exchange(jsonRequest('/api/google/exchange', { code: 'q'.repeat(43) }, { headers: { 'x-real-ip': ip } }));
    const verifier = 'v'.repeat(43);
    const code = await issueExchangeCode({ id: '00000000-0000-0000-0000-000000000001', tokenVersion: 0 }, createHash('sha256').update(verifier).digest('base64url'));
    const wrong = await exchange(jsonRequest('/api/google/exchange', { code, code_verifier: 'w'.repeat(43) }, { headers: { 'x-real-ip': ip } }));
    expect(wrong.status).toBe(429);
    await settleBackground(); // as a put-back would be, after the answer
    const right = await exchange(jsonRequest('/api/google/exchange', { code, code_verifier: verifier }, { headers: { 'x-real-ip': '198.51.100.20' } }));
    expect(right.status).toBe(400);
  });

  it('puts a code back for what is left of its 60 seconds only, so it cannot be kept alive past them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    resetStore(); // an in-process store that reads the faked clock
    try {
      const ip = '203.0.113.12';
      const code = await issueExchangeCode({ id: '00000000-0000-0000-0000-000000000001', tokenVersion: 0 });
      vi.advanceTimersByTime(50_000);
      for (let i = 0; i < 3; i++) await exchange(jsonRequest('/api/google/exchange', { code: 'z'.repeat(43) }, { headers: { 'x-real-ip': ip } }));
      expect((await exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': ip } }))).status).toBe(429);
      await settleBackground(); // it is put back after the answer
      vi.advanceTimersByTime(11_000); // 61 s after issue
      expect((await exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': '198.51.100.9' } }))).status).toBe(400);
    } finally {
      vi.useRealTimers();
      resetStore();
    }
  });

  it('says in Retry-After and RateLimit-Reset how long until the window ends, rounded up to whole seconds', async () => {
    const start = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000; // a minute boundary ahead: a fresh window
    vi.useFakeTimers({ toFake: ['Date'], now: start + 15_500 });
    resetStore(); // an in-process store that reads the faked clock
    try {
      const from = () => jsonRequest('/api/google/exchange', { code: 'r'.repeat(43) }, { headers: { 'x-real-ip': '203.0.113.13' } });
      for (let i = 0; i < 3; i++) expect((await exchange(from())).status).toBe(400);
      const limited = await exchange(from());
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('45'); // 44.5 s left of the minute
      expect(limited.headers.get('ratelimit-reset')).toBe('45');
      expect((await problemOf(limited)).detail).toContain('Try again in 45 seconds.');
    } finally {
      vi.useRealTimers();
      resetStore();
    }
  });
});

describe('an exchange code put back after a refused exchange', () => {
  it('lives only for what was left of its 60 seconds: its expiry is checked on redeeming, and the store forgets it then too', async () => {
    const code = await issueExchangeCode({ id: '00000000-0000-4000-8000-000000000001', tokenVersion: 0 });
    const grant = await redeemExchangeCode(code);
    expect(grant).not.toBeNull();
    const put = vi.spyOn(getStore(), 'putBack');
    try {
      // Put back with 300 ms left (as after a 429 late in its minute).
      await restoreExchangeCode(code, { ...grant!, expiresAt: Date.now() + 300 });
      expect(put.mock.calls[0]![2]).toBe(1); // the store's TTL: what is left, rounded up to a second
    } finally {
      put.mockRestore();
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(await redeemExchangeCode(code)).toBeNull(); // past its expiry, though the store still holds it
  });
});

describe('an exchange whose code cannot be read from the store', () => {
  beforeAll(() => resetStore());

  it('answers 503 (try again), not the 400 of an unknown code, when the store fails on the code but not on the limit', async () => {
    const code = await issueExchangeCode({ id: '00000000-0000-4000-8000-000000000001', tokenVersion: 0 });
    const take = vi.spyOn(getStore(), 'take').mockRejectedValueOnce(new StoreUnavailableError('redis timed out', { tried: false }));
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const response = await exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': '203.0.113.30' } }));
      expect(response.status).toBe(503);
      expect((await problemOf(response)).type).toBe('urn:problem:service_unavailable');
    } finally {
      take.mockRestore();
      log.mockRestore();
    }
    // The code was never taken: once the store answers, it works.
    expect((await exchange(jsonRequest('/api/google/exchange', { code }, { headers: { 'x-real-ip': '203.0.113.30' } }))).status).toBe(200);
  });
});
